"""Multilingual label sets: how a person recognises each control and page on Meta's forms.

Each phrase is a case-insensitive regular expression fragment. A label set joins the
phrases of every language into one pattern, so a page in any of these languages (or a
mix, as Meta sometimes serves) is recognised the same way. Patterns describe meaning,
not Meta's exact wording, because the wording changes between visits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cached_property

LANGUAGES = ("de", "en", "fr", "it", "es", "nl")


@dataclass(frozen=True)
class Phrases:
    """Regex fragments per language; `anchored` makes them match a whole accessible name."""

    by_language: Mapping[str, tuple[str, ...]]
    anchored: bool = False

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        alternatives = "|".join(
            f"(?:{phrase})" for phrases in self.by_language.values() for phrase in phrases
        )
        if self.anchored:
            alternatives = rf"^\s*(?:{alternatives})\s*[.!]?\s*$"
        return re.compile(alternatives, re.IGNORECASE)

    def plus(self, **more: tuple[str, ...]) -> Phrases:
        """These phrases and `more`, e.g. a service's own wording."""
        merged = {lang: tuple(self.by_language.get(lang, ())) for lang in self.by_language}
        for lang, phrases in more.items():
            merged[lang] = merged.get(lang, ()) + phrases
        return replace(self, by_language=merged)

    def matches(self, text: str) -> bool:
        return bool(self.pattern.search(text))


def _phrases(anchored: bool = False, **by_language: tuple[str, ...]) -> Phrases:
    return Phrases(by_language=by_language, anchored=anchored)


@dataclass(frozen=True)
class Labels:
    """Everything a flow recognises, as label sets. A flow may extend any of them."""

    # Cookie dialog. We only ever press `decline_cookies`; `allow_all_cookies` exists
    # so the flow can prove it never touches that button.
    decline_cookies: Phrases = field(
        default_factory=lambda: _phrases(
            en=(
                r"decline optional",
                r"reject optional",
                r"only allow essential",
                r"allow only essential",
                r"only essential cookies",
                r"necessary cookies only",
            ),
            de=(
                r"optionale cookies ablehnen",
                r"nur (erforderliche|notwendige|essenzielle)"
                r" cookies",
                r"alle optionalen cookies ablehnen",
            ),
            fr=(r"refuser les cookies optionnels", r"uniquement les cookies essentiels"),
            it=(r"rifiuta i cookie facoltativi", r"solo i cookie essenziali"),
            es=(r"rechazar cookies opcionales", r"solo cookies esenciales"),
            nl=(r"optionele cookies weigeren", r"alleen essenti[eë]le cookies"),
        )
    )
    allow_all_cookies: Phrases = field(
        default_factory=lambda: _phrases(
            en=(r"allow all", r"accept all", r"essential and optional"),
            de=(r"alle (cookies )?(erlauben|akzeptieren|zulassen)", r"erforderliche und optionale"),
            fr=(r"autoriser tous", r"tout accepter"),
            it=(r"consenti tutti", r"accetta tutti"),
            es=(r"permitir todas", r"aceptar todas"),
            nl=(r"alle cookies toestaan",),
        )
    )
    log_in: Phrases = field(
        default_factory=lambda: _phrases(
            anchored=True,
            en=(r"log ?in", r"sign in", r"continue with password"),
            de=(r"anmelden", r"einloggen"),
            fr=(r"se connecter", r"connexion"),
            it=(r"accedi",),
            es=(r"iniciar sesi[oó]n", r"entrar"),
            nl=(r"aanmelden", r"inloggen"),
        )
    )
    checkpoint: Phrases = field(
        default_factory=lambda: _phrases(
            en=(
                r"confirm (that )?it'?[’']?s you",
                r"security check",
                r"captcha",
                r"enter the (characters|text) (you see|in the image)",
                r"two-factor",
                r"authentication app",
                r"login code",
                r"unusual (login )?activity",
                r"verify (it'?s you|your identity)",
                r"i'?m not a robot",
            ),
            de=(
                r"bestätige,? dass du es bist",
                r"sicherheitsüberprüfung",
                r"gib die (angezeigten )?zeichen ein",
                r"zwei-faktor",
                r"authentifizierungs-?app",
                r"ungewöhnliche aktivität",
                r"identität bestätigen",
                r"kein roboter",
            ),
            fr=(
                r"confirmez qu[e’'] ?c[’']est bien vous",
                r"contrôle de sécurité",
                r"vérification de sécurité",
                r"authentification à deux facteurs",
            ),
            it=(r"conferma che sei tu", r"controllo di sicurezza", r"autenticazione a due"),
            es=(r"confirma que eres t[uú]", r"control de seguridad", r"autenticaci[oó]n en dos"),
            nl=(r"bevestig dat jij het bent", r"beveiligingscontrole"),
        )
    )
    # The one-time code Meta emails after Send. Recognised by a code request that
    # mentions email; a code request without it is a checkpoint (2FA).
    code_step: Phrases = field(
        default_factory=lambda: _phrases(
            en=(
                r"(sent|emailed|send)[^.]{0,80}code[^.]{0,80}e-?mail",
                r"code[^.]{0,40}(sent|emailed)[^.]{0,60}e-?mail",
                r"confirm your e-?mail",
                r"6-digit code",
            ),
            de=(
                r"code[^.]{0,80}(gesendet|geschickt)",
                r"bestätige deine e-?mail",
                r"6-stellig",
                r"bestätigungscode",
            ),
            fr=(r"code[^.]{0,80}envoy", r"confirmez votre adresse e-?mail", r"code à 6 chiffres"),
            it=(r"codice[^.]{0,80}inviato", r"conferma il tuo indirizzo e-?mail"),
            es=(r"c[oó]digo[^.]{0,80}enviado", r"confirma tu correo"),
            nl=(r"code[^.]{0,80}verzonden", r"bevestig je e-?mailadres"),
        )
    )
    code_field: Phrases = field(
        default_factory=lambda: _phrases(
            en=(r"code",),
            de=(r"code",),
            fr=(r"code",),
            it=(r"codice",),
            es=(r"c[oó]digo",),
            nl=(r"code",),
        )
    )
    ai_question: Phrases = field(
        default_factory=lambda: _phrases(
            en=(r"\bAI at Meta\b", r"artificial intelligence", r"related to AI", r"about AI"),
            de=(r"\bKI bei Meta\b", r"künstliche(r|n)? Intelligenz", r"auf KI\b"),
            fr=(r"\bIA (chez|de|à) Meta\b", r"intelligence artificielle"),
            it=(r"\bIA (di|in|presso) Meta\b", r"intelligenza artificiale"),
            es=(r"\bIA (de|en) Meta\b", r"inteligencia artificial"),
            nl=(r"\bAI bij Meta\b", r"kunstmatige intelligentie"),
        )
    )
    yes: Phrases = field(
        default_factory=lambda: _phrases(
            anchored=True,
            en=(r"yes",),
            de=(r"ja",),
            fr=(r"oui",),
            it=(r"s[iì]",),
            es=(r"s[ií]",),
            nl=(r"ja",),
        )
    )
    next: Phrases = field(
        default_factory=lambda: _phrases(
            anchored=True,
            en=(r"next", r"continue"),
            de=(r"weiter", r"fortfahren"),
            fr=(r"suivant", r"continuer"),
            it=(r"avanti", r"continua"),
            es=(r"siguiente", r"continuar"),
            nl=(r"volgende", r"doorgaan"),
        )
    )
    country: Phrases = field(
        default_factory=lambda: _phrases(
            en=(r"countr(y|ies)", r"where do you live", r"residence"),
            de=(r"\bland\b", r"wo lebst du", r"wo wohnst du", r"wohnsitz", r"wohnort"),
            fr=(r"\bpays\b", r"où (vivez|habitez)-vous", r"résidence"),
            it=(r"\bpaese\b", r"dove vivi", r"residenza"),
            es=(r"\bpa[ií]s\b", r"d[oó]nde vives", r"residencia"),
            nl=(r"\bland\b", r"waar woon je"),
        )
    )
    email: Phrases = field(
        default_factory=lambda: _phrases(
            en=(r"e-?mail",),
            de=(r"e-?mail",),
            fr=(r"e-?mail", r"courriel"),
            it=(r"e-?mail",),
            es=(r"correo", r"e-?mail"),
            nl=(r"e-?mail",),
        )
    )
    justification: Phrases = field(
        default_factory=lambda: _phrases(
            en=(
                r"how [^?]*(affect|impact)",
                r"tell us",
                r"describe",
                r"reason",
                r"ground",
                r"justif",
                r"explain",
                r"your situation",
                r"additional (info|details)",
                r"comments?\b",
                r"message",
            ),
            de=(
                r"auswirk",
                r"wie sich",
                r"erkläre",
                r"erläutere",
                r"begründ",
                r"grund",
                r"beschreib",
                r"situation",
                r"zusätzliche",
                r"nachricht",
                r"anmerkung",
            ),
            fr=(
                r"expliquez",
                r"motif",
                r"raison",
                r"incidence",
                r"affecte",
                r"décrivez",
                r"situation",
                r"message",
            ),
            it=(r"spiega", r"motiv", r"in che modo", r"situazione", r"messaggio"),
            es=(r"expl[ií]ca", r"motivo", r"c[oó]mo te afecta", r"situaci[oó]n", r"mensaje"),
            nl=(r"leg uit", r"reden", r"hoe .* invloed", r"situatie", r"bericht"),
        )
    )
    send: Phrases = field(
        default_factory=lambda: _phrases(
            anchored=True,
            en=(r"send", r"submit", r"send request", r"submit request", r"send objection"),
            de=(
                r"senden",
                r"absenden",
                r"abschicken",
                r"einreichen",
                r"übermitteln",
                r"anfrage senden",
                r"einspruch (senden|einreichen)",
            ),
            fr=(r"envoyer", r"soumettre"),
            it=(r"invia", r"inoltra"),
            es=(r"enviar",),
            nl=(r"verzenden", r"versturen", r"indienen"),
        )
    )
    confirmation: Phrases = field(
        default_factory=lambda: _phrases(
            en=(
                r"(we'?[’']?ve|we have) received your (objection|request)",
                r"your (objection|request) (has been|was) (sent|submitted|received)",
                r"we('?ll| will) (honou?r|apply) your (objection|request)",
                r"(request|objection) will be applied going forward",
                r"thanks? (you )?for (submitting|your (objection|request))",
            ),
            de=(
                r"wir haben deine?n? (einspruch|widerspruch|anfrage) erhalten",
                r"(dein|ihr)e?r? (einspruch|widerspruch|anfrage) wurde (gesendet|übermittelt"
                r"|eingereicht|erhalten|angenommen)",
                r"anfrage künftig",
                r"(einspruch|widerspruch) (nachkommen|stattgeben|berücksichtigen)",
                r"danke,? dass du (widersprochen|einspruch erhoben)",
            ),
            fr=(
                r"nous avons (bien )?reçu votre (opposition|demande)",
                r"votre (opposition|demande) a (bien )?été (envoyée|soumise|reçue|enregistrée)",
                r"nous (appliquerons|respecterons) votre (opposition|demande)",
            ),
            it=(
                r"abbiamo ricevuto la tua (opposizione|richiesta)",
                r"la tua richiesta (verrà applicata|è stata (inviata|ricevuta))",
                r"(onoreremo|accoglieremo) la tua (opposizione|richiesta)",
            ),
            es=(
                r"hemos recibido tu (objeci[oó]n|solicitud)",
                r"tu (objeci[oó]n|solicitud) (se ha enviado|ha sido enviada)",
            ),
            nl=(
                r"we hebben je (bezwaar|verzoek) ontvangen",
                r"je (bezwaar|verzoek) is (verzonden|ingediend|ontvangen)",
            ),
        )
    )
    error: Phrases = field(
        default_factory=lambda: _phrases(
            en=(
                r"something went wrong",
                r"an error (has )?occurred",
                r"cannot take further action",
                r"can'?[’']?t (process|complete) (your|this) request",
                r"please try again later",
            ),
            de=(
                r"etwas ist schiefgelaufen",
                r"ein fehler ist aufgetreten",
                r"versuche es später (noch einmal|erneut)",
                r"keine weiteren maßnahmen",
            ),
            fr=(
                r"un problème (est survenu|s[’']est produit)",
                r"une erreur s[’']est produite",
                r"veuillez réessayer plus tard",
            ),
            it=(r"si è verificato un (errore|problema)", r"qualcosa è andato storto"),
            es=(r"algo sali[oó] mal", r"se ha producido un error"),
            nl=(r"er is iets misgegaan", r"er is een fout opgetreden"),
        )
    )
    unavailable: Phrases = field(
        default_factory=lambda: _phrases(
            en=(
                r"(content|page|form) (isn'?[’']?t|is not) available",
                r"page (isn'?[’']?t|not) found",
                r"link you followed may be broken",
                r"not available in your (country|region)",
            ),
            de=(
                r"inhalt ist (momentan |derzeit |zurzeit )?nicht verfügbar",
                r"seite (ist )?nicht (verfügbar|gefunden)",
                r"in deinem land nicht verfügbar",
                r"link.{0,40}(fehlerhaft|ungültig)",
            ),
            fr=(r"(contenu|page) n[’']est pas disponible", r"page introuvable"),
            it=(r"(contenuto|pagina) non (è )?disponibile",),
            es=(r"(contenido|p[aá]gina) no (est[aá] )?disponible",),
            nl=(r"(inhoud|pagina) is (momenteel )?niet beschikbaar",),
        )
    )

    def with_service_wording(self, **extra: Mapping[str, tuple[str, ...]]) -> Labels:
        """These labels, with a service's own phrases added to the named sets."""
        unknown = set(extra) - {f.name for f in fields(self)}
        if unknown:
            raise ValueError(f"unknown label sets: {sorted(unknown)}")
        changes = {name: getattr(self, name).plus(**phrases) for name, phrases in extra.items()}
        return replace(self, **changes)


META_LABELS = Labels()
