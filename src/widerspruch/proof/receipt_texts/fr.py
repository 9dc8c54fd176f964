"""The receipt in French."""

from __future__ import annotations

from widerspruch.states import Status

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
DATE = "{day} {month} {year}"
TIME_SUFFIX = ""

TEXT: dict[str, str] = {
    "kind": "Accusé de dépôt",
    "number": "Opposition n°",
    "title": "Opposition à l'utilisation pour l'IA",
    "service": "Service",
    "account": "Compte",
    "full_address": "adresse complète",
    "sent": "Envoi",
    "local": "heure locale",
    "deadline": "Réponse attendue",
    "deadline_note": "un mois, article 12, paragraphe 3, du RGPD",
    "form": "Formulaire",
    "country": "Pays de résidence",
    "template": "Texte",
    "own_text": "texte personnel",
    "what": "Ce qui a été fait",
    "what_1": (
        "Le {date}, une opposition fondée sur l'<b>article 21, paragraphe 1, du RGPD</b> a "
        "été formée au moyen du formulaire officiel de Meta contre l'utilisation, par Meta, "
        "des informations du compte {service} {account} pour développer et améliorer "
        "l'intelligence artificielle. Meta fonde ce traitement sur son « intérêt légitime » "
        "(<b>article 6, paragraphe 1, point f), du RGPD</b>). Toute personne concernée peut "
        "s'y opposer ; Meta doit alors cesser ce traitement, à moins de démontrer des motifs "
        "légitimes et impérieux qui prévalent sur les intérêts de la personne."
    ),
    "what_1_demo": (
        "Ceci est un accusé issu de la démonstration de widerspruch. Le {date}, la "
        "démonstration a rempli et envoyé le formulaire pour le compte {service} {account}, "
        "mais uniquement à une reproduction des pages de Meta sur cet ordinateur. <b>Rien n'a "
        "été envoyé à Meta et aucune opposition n'a été formée.</b> Voici à quoi ressemble "
        "l'accusé d'une véritable opposition au titre de l'article 21, paragraphe 1, du RGPD."
    ),
    "what_demo": (
        "La reproduction a indiqué la réception sur la page (image ci-dessous). Ce n'est pas "
        "une confirmation de Meta."
    ),
    "what_confirmed": "Meta a confirmé la réception sur la page (image ci-dessous).",
    "what_unconfirmed": (
        "Le formulaire a été envoyé, mais aucune confirmation de Meta n'a été affichée."
    ),
    "no_reply": "Meta n'a pas encore répondu par courriel.",
    "no_reply_unconfirmed": (
        "Seule une réponse de Meta par courriel montrera si l'opposition est bien arrivée ; "
        "il n'y en a pas encore."
    ),
    "replied_acknowledged": "Meta a accusé réception de l'opposition par courriel ({date}).",
    "replied_rejected": "Meta a refusé l'opposition par courriel ({date}).",
    "replied_info_requested": (
        "Meta a demandé des informations complémentaires par courriel ({date})."
    ),
    "replied_kept": "Le courriel est conservé au dossier (voir « Réponses de Meta »).",
    "what_by_person": (
        "Le formulaire a été envoyé et Meta a répondu, mais pas clairement. La personne a lu "
        "la réponse et estime que Meta a accepté l'opposition : c'est son appréciation, non "
        "une confirmation de Meta. La page indiquait : « {text} »"
    ),
    "what_deadline": (
        "En vertu de l'<b>article 12, paragraphe 3, du RGPD</b>, Meta doit répondre dans un "
        "délai d'un mois, soit au plus tard le <b>{deadline}</b>. À défaut de réponse, la "
        "personne peut relancer Meta ou saisir l'autorité de protection des données."
    ),
    "what_deadline_answered": (
        "En vertu de l'<b>article 12, paragraphe 3, du RGPD</b>, Meta disposait d'un mois, "
        "soit jusqu'au <b>{deadline}</b>."
    ),
    "what_rejected": (
        "La personne peut contester ce refus auprès de l'autorité de protection des données : "
        "Meta doit démontrer des motifs légitimes et impérieux, ce qu'un simple refus ne fait "
        "pas."
    ),
    "replies": "Réponses de Meta",
    "reply_acknowledged": "Meta accuse réception de l'opposition",
    "reply_rejected": "Meta refuse l'opposition",
    "reply_info_requested": "Meta demande des informations complémentaires",
    "reply_signed": "Signature de Meta (DKIM) vérifiée",
    "reply_unsigned": "Signature de Meta (DKIM) non vérifiée",
    "undated": "sans date",
    "text": "Le texte envoyé",
    "page": "La page de Meta après l'envoi",
    "page_demo": "La reproduction de la page de Meta après l'envoi",
    "no_page": "Il n'existe pas de capture d'écran de cette page.",
    "verify": "Comment vérifier cet accusé",
    "verify_1": (
        "Toutes les preuves se trouvent dans le dossier de données de widerspruch, sous "
        "<code>{folder}</code> : captures d'écran avant et après l'envoi, page de Meta en "
        "HTML, champs du formulaire envoyés et circonstances. <code>manifest.json</code> "
        "indique l'empreinte SHA-256 de chaque fichier ; sa propre empreinte figure dans le "
        "registre, et ici :"
    ),
    "verify_2": (
        "Quiconque recalcule les empreintes, avec widerspruch ou tout autre outil SHA-256, "
        "repère chaque fichier modifié ou manquant depuis."
    ),
    "help": "Aide : utiliser widerspruch",
    "help_note": (
        "Cette partie ne fait pas partie de l'accusé. Elle indique à la personne qui utilise "
        "widerspruch la suite des démarches."
    ),
    "help_verify": "Vérifier les preuves : <code>widerspruch verify {id}</code>",
    "help_confirm": (
        "Joindre le courriel de Meta au dossier : depuis la boîte aux lettres avec "
        "<code>widerspruch inbox</code>, ou depuis un fichier enregistré avec "
        "<code>widerspruch confirm {id} --eml FICHIER</code>"
    ),
    "help_followup": (
        "Écrire une relance à Meta ou une plainte à l'autorité de protection des données : "
        "<code>widerspruch followup {id}</code>"
    ),
    "help_receipt": "Refaire cet accusé : <code>widerspruch receipt {id}</code>",
    "help_real": "Former une véritable opposition : <code>widerspruch submit --help</code>",
    "demo_badge": "DÉMO – non envoyé à Meta",
    "demo_form": "Reproduction du formulaire de Meta sur cet ordinateur (rien n'a été envoyé)",
    "footer": "Établi avec widerspruch {version} le {made}",
    "page_of": "Page {page} sur {pages}",
    Status.CONFIRMED: "Confirmée par Meta sur la page",
    Status.CONFIRMED_BY_PERSON: "Jugée acceptée par la personne",
    Status.SUBMITTED_UNCONFIRMED: "Envoyée, sans confirmation sur la page",
    Status.SUBMITTING: "Peut-être envoyée, sans confirmation",
    Status.ACKNOWLEDGED: "Réception confirmée par Meta par courriel",
    Status.REJECTED: "Refusée par Meta",
    Status.INFO_REQUESTED: "Meta demande des informations complémentaires",
}
