"""The receipt in Italian."""

from __future__ import annotations

from widerspruch.states import Status

MONTHS = (
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
)
DATE = "{day} {month} {year}"
TIME_SUFFIX = ""

TEXT: dict[str, str] = {
    "kind": "Ricevuta",
    "number": "Opposizione n.",
    "title": "Opposizione all'uso per l'IA",
    "service": "Servizio",
    "account": "Account",
    "full_address": "indirizzo completo",
    "sent": "Invio",
    "local": "ora locale",
    "deadline": "Termine di risposta",
    "deadline_note": "un mese, art. 12, paragrafo 3, del RGPD",
    "form": "Modulo",
    "country": "Paese di residenza",
    "template": "Testo",
    "own_text": "testo proprio",
    "what": "Che cosa è stato fatto",
    "what_1": (
        "Il {date} è stata presentata, tramite il modulo ufficiale di Meta, opposizione ai "
        "sensi dell'<b>art. 21, paragrafo 1, del RGPD</b> all'uso, da parte di Meta, delle "
        "informazioni dell'account {service} {account} per sviluppare e migliorare "
        "l'intelligenza artificiale. Meta fonda questo trattamento sul proprio «legittimo "
        "interesse» (<b>art. 6, paragrafo 1, lettera f), del RGPD</b>). Ogni interessato può "
        "opporvisi; Meta deve quindi cessare il trattamento, salvo che dimostri motivi "
        "legittimi cogenti che prevalgono sugli interessi della persona."
    ),
    "what_1_demo": (
        "Questa è una ricevuta della dimostrazione di widerspruch. Il {date} la "
        "dimostrazione ha compilato e inviato il modulo per l'account {service} {account}, "
        "ma soltanto a una riproduzione delle pagine di Meta su questo computer. <b>Nulla è "
        "stato inviato a Meta e non è stata presentata alcuna opposizione.</b> Così appare la "
        "ricevuta di una vera opposizione ai sensi dell'art. 21, paragrafo 1, del RGPD."
    ),
    "what_demo": (
        "La riproduzione ha segnalato la ricezione sulla pagina (immagine sotto). Non è una "
        "conferma di Meta."
    ),
    "what_confirmed": "Meta ha confermato la ricezione sulla pagina (immagine sotto).",
    "what_unconfirmed": (
        "Il modulo è stato inviato, ma non è comparsa alcuna conferma da parte di Meta."
    ),
    "no_reply": "Meta non ha ancora risposto per e-mail.",
    "no_reply_unconfirmed": (
        "Solo una risposta di Meta per e-mail mostrerà se l'opposizione è arrivata; finora "
        "non ce n'è."
    ),
    "replied_acknowledged": "Meta ha confermato l'opposizione per e-mail ({date}).",
    "replied_rejected": "Meta ha respinto l'opposizione per e-mail ({date}).",
    "replied_info_requested": "Meta ha chiesto ulteriori informazioni per e-mail ({date}).",
    "replied_kept": "L'e-mail è conservata agli atti (vedi «Risposte di Meta»).",
    "what_by_person": (
        "Il modulo è stato inviato e Meta ha risposto, ma non in modo chiaro. La persona ha "
        "letto la risposta e ritiene che Meta abbia accolto l'opposizione: è una sua "
        "valutazione, non una conferma di Meta. La pagina diceva: «{text}»"
    ),
    "what_deadline": (
        "Ai sensi dell'<b>art. 12, paragrafo 3, del RGPD</b> Meta deve rispondere entro un "
        "mese, quindi entro il <b>{deadline}</b>. Se la risposta non arriva, la persona può "
        "sollecitare Meta o presentare reclamo all'autorità di controllo."
    ),
    "what_deadline_answered": (
        "Ai sensi dell'<b>art. 12, paragrafo 3, del RGPD</b> Meta aveva un mese di tempo, "
        "cioè fino al <b>{deadline}</b>."
    ),
    "what_rejected": (
        "Contro il rifiuto la persona può presentare reclamo all'autorità di controllo: Meta "
        "deve dimostrare motivi legittimi cogenti, e un semplice rifiuto non lo fa."
    ),
    "replies": "Risposte di Meta",
    "reply_acknowledged": "Meta conferma l'opposizione",
    "reply_rejected": "Meta respinge l'opposizione",
    "reply_info_requested": "Meta chiede ulteriori informazioni",
    "reply_signed": "Firma di Meta (DKIM) verificata",
    "reply_unsigned": "Firma di Meta (DKIM) non verificata",
    "undated": "senza data",
    "text": "Il testo inviato",
    "page": "La pagina di Meta dopo l'invio",
    "page_demo": "La riproduzione della pagina di Meta dopo l'invio",
    "no_page": "Di questa pagina non c'è uno screenshot.",
    "verify": "Come verificare questa ricevuta",
    "verify_1": (
        "Tutte le prove si trovano nella cartella dei dati di widerspruch, in "
        "<code>{folder}</code>: screenshot prima e dopo l'invio, la pagina di Meta in HTML, i "
        "campi del modulo inviati e le circostanze. <code>manifest.json</code> riporta "
        "l'impronta SHA-256 di ogni file; la sua impronta è nel registro, e qui:"
    ),
    "verify_2": (
        "Chi ricalcola le impronte, con widerspruch o con qualsiasi altro strumento SHA-256, "
        "individua ogni file modificato o mancante da allora."
    ),
    "help": "Aiuto: come usare widerspruch",
    "help_note": (
        "Questa sezione non fa parte della ricevuta. Spiega a chi usa widerspruch come proseguire."
    ),
    "help_verify": "Verificare le prove: <code>widerspruch verify {id}</code>",
    "help_confirm": (
        "Aggiungere agli atti l'e-mail di Meta: dalla casella di posta con "
        "<code>widerspruch inbox</code>, oppure da un file salvato con "
        "<code>widerspruch confirm {id} --eml FILE</code>"
    ),
    "help_followup": (
        "Scrivere un sollecito a Meta o un reclamo all'autorità di controllo: "
        "<code>widerspruch followup {id}</code>"
    ),
    "help_receipt": "Rifare questa ricevuta: <code>widerspruch receipt {id}</code>",
    "help_real": "Presentare una vera opposizione: <code>widerspruch submit --help</code>",
    "demo_badge": "DEMO – non inviato a Meta",
    "demo_form": "Riproduzione del modulo di Meta su questo computer (nulla inviato a Meta)",
    "footer": "Creato con widerspruch {version} il {made}",
    "page_of": "Pagina {page} di {pages}",
    Status.CONFIRMED: "Confermata da Meta sulla pagina",
    Status.CONFIRMED_BY_PERSON: "Ritenuta accolta dalla persona",
    Status.SUBMITTED_UNCONFIRMED: "Inviata, senza conferma sulla pagina",
    Status.SUBMITTING: "Forse inviata, senza conferma",
    Status.ACKNOWLEDGED: "Confermata da Meta per e-mail",
    Status.REJECTED: "Respinta da Meta",
    Status.INFO_REQUESTED: "Meta chiede ulteriori informazioni",
}
