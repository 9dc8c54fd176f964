"""The receipt in Spanish."""

from __future__ import annotations

from widerspruch.states import Status

MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
DATE = "{day} de {month} de {year}"
TIME_SUFFIX = ""

TEXT: dict[str, str] = {
    "kind": "Justificante",
    "number": "Oposición n.º",
    "title": "Oposición al uso para la IA",
    "service": "Servicio",
    "account": "Cuenta",
    "full_address": "dirección completa",
    "sent": "Envío",
    "local": "hora local",
    "deadline": "Plazo de respuesta",
    "deadline_note": "un mes, artículo 12, apartado 3, del RGPD",
    "form": "Formulario",
    "country": "País de residencia",
    "template": "Texto",
    "own_text": "texto propio",
    "what": "Qué se hizo",
    "what_1": (
        "El {date} se presentó, mediante el formulario oficial de Meta, una oposición "
        "conforme al <b>artículo 21, apartado 1, del RGPD</b> a que Meta utilice la "
        "información de la cuenta de {service} {account} para desarrollar y mejorar la "
        "inteligencia artificial. Meta basa este tratamiento en su «interés legítimo» "
        "(<b>artículo 6, apartado 1, letra f), del RGPD</b>). Cualquier interesado puede "
        "oponerse; Meta debe entonces dejar de tratar los datos, salvo que acredite motivos "
        "legítimos imperiosos que prevalezcan sobre los intereses de la persona."
    ),
    "what_1_demo": (
        "Este es un justificante de la demostración de widerspruch. El {date}, la "
        "demostración rellenó y envió el formulario de la cuenta de {service} {account}, "
        "pero solo a una réplica de las páginas de Meta en este ordenador. <b>No se envió "
        "nada a Meta y no se presentó ninguna oposición.</b> Así es el justificante de una "
        "oposición real conforme al artículo 21, apartado 1, del RGPD."
    ),
    "what_demo": (
        "La réplica indicó la recepción en la página (imagen inferior). No es una "
        "confirmación de Meta."
    ),
    "what_confirmed": "Meta confirmó la recepción en la página (imagen inferior).",
    "what_unconfirmed": "El formulario se envió, pero no se vio ninguna confirmación de Meta.",
    "no_reply": "Todavía no hay respuesta de Meta por correo electrónico.",
    "no_reply_unconfirmed": (
        "Solo una respuesta de Meta por correo electrónico mostrará si la oposición llegó; "
        "todavía no la hay."
    ),
    "replied_acknowledged": "Meta confirmó la oposición por correo electrónico ({date}).",
    "replied_rejected": "Meta rechazó la oposición por correo electrónico ({date}).",
    "replied_info_requested": "Meta pidió más información por correo electrónico ({date}).",
    "replied_kept": "El correo se conserva en el expediente (véase «Respuestas de Meta»).",
    "what_by_person": (
        "El formulario se envió y Meta respondió, pero no con claridad. La persona leyó la "
        "respuesta y considera que Meta aceptó la oposición: es su valoración, no una "
        "confirmación de Meta. La página decía: «{text}»"
    ),
    "what_deadline": (
        "Según el <b>artículo 12, apartado 3, del RGPD</b>, Meta debe responder en el plazo "
        "de un mes, es decir, a más tardar el <b>{deadline}</b>. Si no responde, la persona "
        "puede recordárselo a Meta o reclamar ante la autoridad de protección de datos."
    ),
    "what_deadline_answered": (
        "Según el <b>artículo 12, apartado 3, del RGPD</b>, Meta tenía un mes para ello, es "
        "decir, hasta el <b>{deadline}</b>."
    ),
    "what_rejected": (
        "La persona puede reclamar contra el rechazo ante la autoridad de protección de "
        "datos: Meta debe acreditar motivos legítimos imperiosos, y un simple rechazo no lo "
        "hace."
    ),
    "replies": "Respuestas de Meta",
    "reply_acknowledged": "Meta confirma la oposición",
    "reply_rejected": "Meta rechaza la oposición",
    "reply_info_requested": "Meta pide más información",
    "reply_signed": "Firma de Meta (DKIM) comprobada",
    "reply_unsigned": "Firma de Meta (DKIM) no comprobada",
    "undated": "sin fecha",
    "text": "El texto enviado",
    "page": "La página de Meta tras el envío",
    "page_demo": "La réplica de la página de Meta tras el envío",
    "no_page": "No hay captura de pantalla de esta página.",
    "verify": "Cómo comprobar este justificante",
    "verify_1": (
        "Todas las pruebas están en la carpeta de datos de widerspruch, en "
        "<code>{folder}</code>: capturas de pantalla antes y después del envío, la página de "
        "Meta en HTML, los campos del formulario enviados y las circunstancias. "
        "<code>manifest.json</code> recoge la huella SHA-256 de cada archivo; la suya propia "
        "consta en el registro, y aquí:"
    ),
    "verify_2": (
        "Quien vuelva a calcular las huellas, con widerspruch o con cualquier otra "
        "herramienta SHA-256, detectará cualquier archivo modificado o desaparecido desde "
        "entonces."
    ),
    "help": "Ayuda: cómo usar widerspruch",
    "help_note": (
        "Esta sección no forma parte del justificante. Indica a quien usa widerspruch cómo seguir."
    ),
    "help_verify": "Comprobar las pruebas: <code>widerspruch verify {id}</code>",
    "help_confirm": (
        "Añadir el correo de Meta al expediente: desde el buzón con "
        "<code>widerspruch inbox</code>, o desde un archivo guardado con "
        "<code>widerspruch confirm {id} --eml ARCHIVO</code>"
    ),
    "help_followup": (
        "Escribir un recordatorio a Meta o una reclamación a la autoridad de protección de "
        "datos: <code>widerspruch followup {id}</code>"
    ),
    "help_receipt": "Volver a generar este justificante: <code>widerspruch receipt {id}</code>",
    "help_real": "Presentar una oposición real: <code>widerspruch submit --help</code>",
    "demo_badge": "DEMO – no enviado a Meta",
    "demo_form": "Réplica del formulario de Meta en este ordenador (no se envió nada a Meta)",
    "footer": "Generado con widerspruch {version} el {made}",
    "page_of": "Página {page} de {pages}",
    Status.CONFIRMED: "Confirmada por Meta en la página",
    Status.CONFIRMED_BY_PERSON: "Considerada aceptada por la persona",
    Status.SUBMITTED_UNCONFIRMED: "Enviada, sin confirmación en la página",
    Status.SUBMITTING: "Quizá enviada, sin confirmación",
    Status.ACKNOWLEDGED: "Confirmada por Meta por correo electrónico",
    Status.REJECTED: "Rechazada por Meta",
    Status.INFO_REQUESTED: "Meta pide más información",
}
