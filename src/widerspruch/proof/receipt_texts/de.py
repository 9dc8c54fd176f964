"""The receipt in German."""

from __future__ import annotations

from widerspruch.states import Status

MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)
DATE = "{day}. {month} {year}"
TIME_SUFFIX = " Uhr"

TEXT: dict[str, str] = {
    "kind": "Empfangsbeleg",
    "number": "Widerspruch Nr.",
    "title": "Widerspruch gegen die Nutzung für KI",
    "service": "Dienst",
    "account": "Konto",
    "full_address": "vollständige Adresse",
    "sent": "Gesendet",
    "local": "Ortszeit",
    "deadline": "Antwortfrist",
    "deadline_note": "ein Monat, Art. 12 Abs. 3 DSGVO",
    "form": "Formular",
    "country": "Wohnsitzland",
    "template": "Text",
    "own_text": "eigener Text",
    "what": "Was geschehen ist",
    "what_1": (
        "Am {date} wurde über das offizielle Formular von Meta Widerspruch nach "
        "<b>Art. 21 Abs. 1 DSGVO</b> dagegen eingelegt, dass Meta die Informationen des "
        "{service}-Kontos {account} für die Entwicklung und Verbesserung von KI "
        "verwendet. Meta stützt diese Verarbeitung auf sein „berechtigtes Interesse“ "
        "(<b>Art. 6 Abs. 1 lit. f DSGVO</b>). Dagegen darf jede betroffene Person "
        "widersprechen; danach darf Meta die Daten nicht mehr dafür verarbeiten, es sei "
        "denn, es weist zwingende schutzwürdige Gründe nach, die überwiegen."
    ),
    "what_1_demo": (
        "Dies ist ein Beleg aus der Demo von widerspruch. Am {date} hat die Demo das "
        "Formular für das {service}-Konto {account} ausgefüllt und abgeschickt, aber nur "
        "an eine Nachbildung von Metas Seiten auf diesem Rechner. <b>Nichts davon wurde "
        "an Meta gesendet, und es wurde kein Widerspruch eingelegt.</b> So sieht der "
        "Beleg eines echten Widerspruchs nach Art. 21 Abs. 1 DSGVO aus."
    ),
    "what_demo": (
        "Die Nachbildung hat den Eingang auf der Seite gemeldet (Bild unten). Das ist "
        "keine Bestätigung von Meta."
    ),
    "what_confirmed": "Meta hat den Eingang auf der Seite bestätigt (Bild unten).",
    "what_unconfirmed": (
        "Das Formular wurde abgeschickt, eine Bestätigung von Meta war aber nicht zu sehen."
    ),
    "no_reply": "Eine Antwort von Meta per E-Mail liegt noch nicht vor.",
    "no_reply_unconfirmed": (
        "Ob der Widerspruch angekommen ist, zeigt erst eine Antwort von Meta per E-Mail; "
        "sie liegt noch nicht vor."
    ),
    "replied_acknowledged": "Meta hat den Widerspruch per E-Mail bestätigt ({date}).",
    "replied_rejected": "Meta hat den Widerspruch per E-Mail abgelehnt ({date}).",
    "replied_info_requested": "Meta hat per E-Mail um weitere Angaben gebeten ({date}).",
    "replied_kept": "Die E-Mail liegt in der Akte (siehe „Antworten von Meta“).",
    "what_by_person": (
        "Das Formular wurde abgeschickt und Meta hat geantwortet, aber nicht eindeutig. "
        "Die Person hat die Antwort angesehen und beurteilt, dass Meta den Widerspruch "
        "angenommen hat: Das ist ihre Einschätzung, keine Bestätigung von Meta. Die "
        "Seite zeigte: „{text}“"
    ),
    "what_deadline": (
        "Nach <b>Art. 12 Abs. 3 DSGVO</b> muss Meta innerhalb eines Monats antworten, "
        "hier also bis zum <b>{deadline}</b>. Bleibt die Antwort aus, kann die Person "
        "Meta daran erinnern oder sich bei der Datenschutzaufsicht beschweren."
    ),
    "what_deadline_answered": (
        "Nach <b>Art. 12 Abs. 3 DSGVO</b> hatte Meta dafür einen Monat Zeit, hier bis "
        "zum <b>{deadline}</b>."
    ),
    "what_rejected": (
        "Gegen die Ablehnung kann sich die Person bei der Datenschutzaufsicht beschweren: "
        "Meta muss zwingende schutzwürdige Gründe nachweisen, eine bloße Ablehnung tut "
        "das nicht."
    ),
    "replies": "Antworten von Meta",
    "reply_acknowledged": "Meta bestätigt den Widerspruch",
    "reply_rejected": "Meta lehnt den Widerspruch ab",
    "reply_info_requested": "Meta bittet um weitere Angaben",
    "reply_signed": "Metas Signatur (DKIM) geprüft",
    "reply_unsigned": "Metas Signatur (DKIM) nicht geprüft",
    "undated": "ohne Datum",
    "text": "Der gesendete Text",
    "page": "Metas Seite nach dem Senden",
    "page_demo": "Die Nachbildung von Metas Seite nach dem Senden",
    "no_page": "Von dieser Seite gibt es kein Bildschirmfoto.",
    "verify": "So lässt sich der Beleg prüfen",
    "verify_1": (
        "Alle Nachweise liegen im Datenordner von widerspruch unter "
        "<code>{folder}</code>: Bildschirmfotos vor und nach dem Senden, Metas Seite als "
        "HTML, die gesendeten Formularfelder und die Umstände. <code>manifest.json</code> "
        "verzeichnet die SHA-256-Prüfsumme jeder Datei; seine eigene Prüfsumme steht im "
        "Ledger und hier:"
    ),
    "verify_2": (
        "Wer die Prüfsummen nachrechnet, mit widerspruch oder einem anderen "
        "SHA-256-Programm, erkennt jede Datei, die seither geändert wurde oder fehlt."
    ),
    "help": "Hilfe zur Bedienung",
    "help_note": (
        "Dieser Abschnitt ist nicht Teil des Belegs. Er sagt der Person, die widerspruch "
        "benutzt, wie es weitergeht."
    ),
    "help_verify": "Die Nachweise prüfen: <code>widerspruch verify {id}</code>",
    "help_confirm": (
        "Metas E-Mail zur Akte nehmen: aus dem Postfach mit <code>widerspruch inbox</code> "
        "oder als gespeicherte Datei mit <code>widerspruch confirm {id} --eml DATEI</code>"
    ),
    "help_followup": (
        "Erinnerung an Meta oder Beschwerde an die Datenschutzaufsicht schreiben: "
        "<code>widerspruch followup {id}</code>"
    ),
    "help_receipt": "Diesen Beleg neu erstellen: <code>widerspruch receipt {id}</code>",
    "help_real": "Einen echten Widerspruch einlegen: <code>widerspruch submit --help</code>",
    "demo_badge": "DEMO – nicht an Meta gesendet",
    "demo_form": "Nachbildung von Metas Formular auf diesem Rechner (nichts an Meta gesendet)",
    "footer": "Erstellt mit widerspruch {version} am {made}",
    "page_of": "Seite {page} von {pages}",
    Status.CONFIRMED: "Von Meta auf der Seite bestätigt",
    Status.CONFIRMED_BY_PERSON: "Von der Person als angenommen beurteilt",
    Status.SUBMITTED_UNCONFIRMED: "Gesendet, ohne Bestätigung auf der Seite",
    Status.SUBMITTING: "Vielleicht gesendet, ohne Bestätigung",
    Status.ACKNOWLEDGED: "Von Meta per E-Mail bestätigt",
    Status.REJECTED: "Von Meta abgelehnt",
    Status.INFO_REQUESTED: "Meta bittet um weitere Angaben",
}
