"""The receipt in Dutch."""

from __future__ import annotations

from widerspruch.states import Status

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
DATE = "{day} {month} {year}"
TIME_SUFFIX = " uur"

TEXT: dict[str, str] = {
    "kind": "Ontvangstbewijs",
    "number": "Bezwaar nr.",
    "title": "Bezwaar tegen gebruik voor AI",
    "service": "Dienst",
    "account": "Account",
    "full_address": "volledig adres",
    "sent": "Verzonden",
    "local": "lokale tijd",
    "deadline": "Antwoordtermijn",
    "deadline_note": "een maand, artikel 12 lid 3 AVG",
    "form": "Formulier",
    "country": "Land van verblijf",
    "template": "Tekst",
    "own_text": "eigen tekst",
    "what": "Wat er is gedaan",
    "what_1": (
        "Op {date} is via het officiële formulier van Meta op grond van <b>artikel 21 lid 1 "
        "AVG</b> bezwaar gemaakt tegen het gebruik door Meta van de informatie van het "
        "{service}-account {account} voor de ontwikkeling en verbetering van AI. Meta baseert "
        "deze verwerking op zijn ‘gerechtvaardigd belang’ (<b>artikel 6 lid 1 onder f "
        "AVG</b>). Iedere betrokkene mag daartegen bezwaar maken; Meta moet de verwerking dan "
        "staken, tenzij het dwingende gerechtvaardigde gronden aantoont die zwaarder wegen "
        "dan de belangen van de betrokkene."
    ),
    "what_1_demo": (
        "Dit is een ontvangstbewijs uit de demo van widerspruch. Op {date} heeft de demo het "
        "formulier voor het {service}-account {account} ingevuld en verzonden, maar alleen "
        "naar een nabootsing van de pagina's van Meta op deze computer. <b>Niets daarvan is "
        "naar Meta gestuurd en er is geen bezwaar gemaakt.</b> Zo ziet het ontvangstbewijs "
        "van een echt bezwaar op grond van artikel 21 lid 1 AVG eruit."
    ),
    "what_demo": (
        "De nabootsing meldde de ontvangst op de pagina (afbeelding hieronder). Dat is geen "
        "bevestiging van Meta."
    ),
    "what_confirmed": "Meta heeft de ontvangst op de pagina bevestigd (afbeelding hieronder).",
    "what_unconfirmed": (
        "Het formulier is verzonden, maar er was geen bevestiging van Meta te zien."
    ),
    "no_reply": "Er is nog geen antwoord van Meta per e-mail.",
    "no_reply_unconfirmed": (
        "Pas een antwoord van Meta per e-mail laat zien of het bezwaar is aangekomen; dat is "
        "er nog niet."
    ),
    "replied_acknowledged": "Meta heeft het bezwaar per e-mail bevestigd ({date}).",
    "replied_rejected": "Meta heeft het bezwaar per e-mail afgewezen ({date}).",
    "replied_info_requested": "Meta heeft per e-mail om meer informatie gevraagd ({date}).",
    "replied_kept": "De e-mail zit in het dossier (zie ‘Antwoorden van Meta’).",
    "what_by_person": (
        "Het formulier is verzonden en Meta heeft geantwoord, maar niet duidelijk. De "
        "betrokkene heeft het antwoord bekeken en beoordeelt dat Meta het bezwaar heeft "
        "aanvaard: dat is haar of zijn oordeel, geen bevestiging van Meta. De pagina "
        "meldde: ‘{text}’"
    ),
    "what_deadline": (
        "Volgens <b>artikel 12 lid 3 AVG</b> moet Meta binnen een maand antwoorden, hier dus "
        "uiterlijk op <b>{deadline}</b>. Blijft een antwoord uit, dan kan de betrokkene Meta "
        "een herinnering sturen of een klacht indienen bij de toezichthouder."
    ),
    "what_deadline_answered": (
        "Volgens <b>artikel 12 lid 3 AVG</b> had Meta daarvoor een maand, hier tot "
        "<b>{deadline}</b>."
    ),
    "what_rejected": (
        "Tegen de afwijzing kan de betrokkene een klacht indienen bij de toezichthouder: Meta "
        "moet dwingende gerechtvaardigde gronden aantonen, en een kale afwijzing doet dat "
        "niet."
    ),
    "replies": "Antwoorden van Meta",
    "reply_acknowledged": "Meta bevestigt het bezwaar",
    "reply_rejected": "Meta wijst het bezwaar af",
    "reply_info_requested": "Meta vraagt om meer informatie",
    "reply_signed": "Handtekening van Meta (DKIM) gecontroleerd",
    "reply_unsigned": "Handtekening van Meta (DKIM) niet gecontroleerd",
    "undated": "zonder datum",
    "text": "De verzonden tekst",
    "page": "De pagina van Meta na het verzenden",
    "page_demo": "De nabootsing van de pagina van Meta na het verzenden",
    "no_page": "Van deze pagina is geen schermafbeelding.",
    "verify": "Zo controleert u dit ontvangstbewijs",
    "verify_1": (
        "Alle bewijsstukken staan in de gegevensmap van widerspruch, onder "
        "<code>{folder}</code>: schermafbeeldingen van voor en na het verzenden, de pagina "
        "van Meta als HTML, de verzonden formuliervelden en de omstandigheden. "
        "<code>manifest.json</code> vermeldt de SHA-256-controlesom van elk bestand; zijn "
        "eigen controlesom staat in het register, en hier:"
    ),
    "verify_2": (
        "Wie de controlesommen opnieuw berekent, met widerspruch of een ander "
        "SHA-256-programma, ziet elk bestand dat sindsdien is gewijzigd of ontbreekt."
    ),
    "help": "Hulp bij het gebruik van widerspruch",
    "help_note": (
        "Dit deel hoort niet bij het ontvangstbewijs. Het vertelt wie widerspruch gebruikt "
        "hoe het verder gaat."
    ),
    "help_verify": "De bewijsstukken controleren: <code>widerspruch verify {id}</code>",
    "help_confirm": (
        "De e-mail van Meta aan het dossier toevoegen: uit de mailbox met "
        "<code>widerspruch inbox</code>, of als opgeslagen bestand met "
        "<code>widerspruch confirm {id} --eml BESTAND</code>"
    ),
    "help_followup": (
        "Een herinnering aan Meta of een klacht aan de toezichthouder schrijven: "
        "<code>widerspruch followup {id}</code>"
    ),
    "help_receipt": "Dit ontvangstbewijs opnieuw maken: <code>widerspruch receipt {id}</code>",
    "help_real": "Een echt bezwaar maken: <code>widerspruch submit --help</code>",
    "demo_badge": "DEMO – niet naar Meta verzonden",
    "demo_form": "Nabootsing van het formulier van Meta op deze computer (niets verzonden)",
    "footer": "Gemaakt met widerspruch {version} op {made}",
    "page_of": "Pagina {page} van {pages}",
    Status.CONFIRMED: "Door Meta op de pagina bevestigd",
    Status.CONFIRMED_BY_PERSON: "Door de betrokkene als aanvaard beoordeeld",
    Status.SUBMITTED_UNCONFIRMED: "Verzonden, zonder bevestiging op de pagina",
    Status.SUBMITTING: "Misschien verzonden, zonder bevestiging",
    Status.ACKNOWLEDGED: "Door Meta per e-mail bevestigd",
    Status.REJECTED: "Door Meta afgewezen",
    Status.INFO_REQUESTED: "Meta vraagt om meer informatie",
}
