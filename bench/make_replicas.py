# ruff: noqa: E501 - page texts and markup read best unbroken
"""Writes the replicas of the forms known only from reports (Meta's third-party form and
WhatsApp's form for messages with AIs) into fixtures/, in German and English.

Run it again after changing a text here: ``python bench/make_replicas.py``.
"""

from __future__ import annotations

import hashlib
import html
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
COUNTRIES: dict[str, Any] = {
    "en": [
        ("AT", "Austria"),
        ("BE", "Belgium"),
        ("FR", "France"),
        ("DE", "Germany"),
        ("IT", "Italy"),
        ("NL", "Netherlands"),
        ("PL", "Poland"),
        ("PT", "Portugal"),
        ("ES", "Spain"),
    ],
    "de": [
        ("BE", "Belgien"),
        ("DE", "Deutschland"),
        ("FR", "Frankreich"),
        ("IT", "Italien"),
        ("NL", "Niederlande"),
        ("AT", "Österreich"),
        ("PL", "Polen"),
        ("PT", "Portugal"),
        ("ES", "Spanien"),
    ],
}
KEYS = (
    "document.addEventListener('keydown',function(e){var t=e.target;if(!t||!t.getAttribute)"
    "return;var r=t.getAttribute('role');if(r!=='button'&&r!=='option'&&r!=='radio')return;"
    "if(e.key!=='Enter'&&e.key!==' ')return;e.preventDefault();t.click();});"
)
SCRIPT = (
    KEYS
    + """
function __fx_radio(el){var g=el.closest('[role=radiogroup]');g.querySelectorAll('[role=radio]').forEach(function(r){var on=r===el;r.setAttribute('aria-checked',on?'true':'false');r.setAttribute('tabindex',on?'0':'-1');});document.getElementById(g.getAttribute('data-input')).value=el.getAttribute('data-value');}
function __fx_next(){var v=document.getElementById('choice_input').value;if(!v){document.getElementById('choice_alert').textContent=__fx_msg;return;}document.getElementById('form_rest').style.display='block';document.getElementById('next_row').style.display='none';}
function __fx_send(btn){if(btn.getAttribute('aria-disabled')==='true')return;var f=document.getElementById('the_form');var bad=null;f.querySelectorAll('[data-required]').forEach(function(el){var a=document.getElementById(el.getAttribute('data-required'));a.textContent='';if(!el.value&&!bad){bad=el;a.textContent=__fx_msg;}});if(bad)return;btn.setAttribute('aria-disabled','true');var p=new URLSearchParams();f.querySelectorAll('input[name],select[name],textarea[name]').forEach(function(el){p.append(el.name,el.value);});fetch('{{form_action}}',{method:'POST',body:p,headers:{'content-type':'application/x-www-form-urlencoded'},credentials:'same-origin'}).then(function(r){return r.text();}).then(function(h){var d=new DOMParser().parseFromString(h,'text/html');var x=d.querySelector('[data-replay-fragment]');document.getElementById('content_root').innerHTML=x?x.outerHTML:h;window.scrollTo(0,0);}).catch(function(){btn.removeAttribute('aria-disabled');});}
"""
)


def cls(*seed: str) -> str:
    """Generated-looking class names, as Meta's pages have (never read by a flow)."""
    digest = hashlib.sha256("/".join(seed).encode()).hexdigest()
    return " ".join("x" + digest[i : i + 6] for i in (0, 6, 12))


def span(text: str) -> str:
    return f'<span class="{cls(text)}"><span><span>{html.escape(text)}</span></span></span>'


def button(label: str, onclick: str, *, extra: str = "") -> str:
    return (
        f'<div class="{cls("btn", label)}" role="button" tabindex="0" aria-label="{html.escape(label)}"'
        f' onclick="{html.escape(onclick)}"{extra}><div><div>{span(label)}</div></div></div>'
    )


def field(label: str, control: str, *, alert: str | None = None) -> str:
    alert_div = f'<div role="alert" id="{alert}" aria-live="assertive"></div>' if alert else ""
    return (
        f'<div class="{cls("f", label)}"><div><label class="{cls("l", label)}" for="{control.split("id=")[1].split()[0].strip(chr(34))}">'
        f"{span(label)}</label>{control}{alert_div}</div></div>"
    )


def page(site: dict[str, Any], lang: str, title: str, body: str, *, dialog: str = "") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}" id="{site["id"]}" dir="ltr"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(title)}</title>'
        "<style>body{font-family:Helvetica,Arial,sans-serif;margin:0}[role=button]{cursor:pointer;"
        "display:inline-block;padding:8px 16px;background:#0866ff;color:#fff;border-radius:6px}"
        "[role=radio]{display:block;padding:6px}.hidden{display:none}label{display:block}"
        "input,select,textarea{display:block;width:90%;margin-bottom:12px}</style></head>"
        f'<body class="{cls("body")}" tabindex="-1"><div class="{cls("mount")}" id="mount_0_0_rp">'
        f'<div role="banner"><a href="/" aria-label="{site["name"]}">{span(site["name"])}</a>'
        f'<a href="{site["help"]}">{span(site["help_name"][lang])}</a></div>'
        f'<div role="main"><div class="{cls("card")}"><div id="content_root">'
        f'<div data-replay-fragment="1">{body}</div></div></div></div>'
        f'<div role="contentinfo">{span(site["footer"][lang])}</div></div>{dialog}'
        f"<script>var __fx_msg={html.escape(site['required'][lang])!r};{SCRIPT}</script></body></html>\n"
    )


def cookie_dialog(site: dict[str, Any], lang: str) -> str:
    words = site["cookies"][lang]
    post = (
        "fetch('/cookie/consent/', {method:'POST', headers:{'content-type':"
        "'application/x-www-form-urlencoded'}, body:'consent=%s'}).then(()=>location.reload())"
    )
    return (
        '<div data-testid="cookie-policy-manage-dialog"><div role="dialog" aria-modal="true" '
        f'aria-label="{html.escape(words[0])}"><h2>{span(words[0])}</h2><div>{html.escape(words[1])}</div>'
        + button(
            words[2], post % "essential", extra=' data-cookiebanner="accept_only_essential_button"'
        )
        + button(words[3], post % "all", extra=' data-cookiebanner="accept_button"')
        + "</div></div>"
    )


def status_page(*words: str) -> str:
    heading, text, role = words
    return f'<div role="{role}"><h2>{span(heading)}</h2><div>{html.escape(text)}</div></div>'


def code_step(texts: dict[str, Any]) -> str:
    return (
        f"<div><h2>{span(texts['code_title'])}</h2><div>{html.escape(texts['code_text'])}</div>"
        '<form method="post" action="/help/contact/code/" id="code_form">'
        '<input type="hidden" name="fb_dtsg" value="{{csrf}}" autocomplete="off">'
        f'<input type="text" name="code" id="code_input" inputmode="numeric" maxlength="6" '
        f'autocomplete="one-time-code" aria-label="{texts["code_field"]}" placeholder="{texts["code_field"]}">'
        f'<button type="submit" name="submit">{span(texts["continue"])}</button></form></div>'
    )


def write(folder: str, name: str, lang: str, content: str) -> None:
    path = FIXTURES / folder / f"{name}.{lang}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, "utf-8")


# -- Meta's form for information from third parties ------------------------------------

FACEBOOK: dict[str, Any] = {
    "id": "facebook",
    "name": "Facebook",
    "help": "/help/",
    "help_name": {"en": "Help Center", "de": "Hilfebereich"},
    "footer": {"en": "Meta © 2026", "de": "Meta © 2026"},
    "required": {"en": "Please fill in this field.", "de": "Bitte fülle dieses Feld aus."},
    "cookies": {
        "en": (
            "Allow the use of cookies from Facebook on this browser?",
            "We use cookies and similar technologies to help provide and improve content on Meta Products.",
            "Decline optional cookies",
            "Allow all cookies",
        ),
        "de": (
            "Die Verwendung von Cookies durch Facebook in diesem Browser erlauben?",
            "Wir verwenden Cookies und ähnliche Technologien, um Inhalte in Meta-Produkten bereitzustellen und zu verbessern.",
            "Optionale Cookies ablehnen",
            "Alle Cookies erlauben",
        ),
    },
}
THIRD_PARTY: dict[str, Any] = {
    "en": {
        "title": "Object to your information from third parties being used for AI at Meta",
        "intro": "If you don't have a Facebook or Instagram account, you can use this form to object "
        "to Meta using information about you that it obtained from third parties, or that others shared, "
        "to develop and improve AI at Meta.",
        "question": "What would you like to do?",
        "choices": (
            ("own", "I want to object to the use of my information for AI at Meta"),
            (
                "third_party",
                "I want to object to the use of my information from third parties for AI at Meta",
            ),
            ("other", "I have a different objection"),
        ),
        "name": "Full name",
        "email": "Email address",
        "country": "Where do you live?",
        "pick": "Select a country",
        "where": "Where did your information appear?",
        "text": "Please tell us how this processing impacts you (optional)",
        "send": "Send",
        "next": "Next",
        "code_title": "Confirm your email address",
        "code_text": "We sent a 6-digit code to {{email}}. Enter it below.",
        "code_field": "Confirmation code",
        "continue": "Continue",
        "ok": (
            "We've received your objection",
            "This means your request will be applied going "
            "forward to developing and improving AI at Meta. You'll receive an email with details.",
        ),
        "error": (
            "Something went wrong",
            "We're working on getting this fixed as soon as we can. You may be able to try again.",
        ),
        "unavailable": (
            "This content isn't available right now",
            "When this happens, it's usually "
            "because the owner only shared it with a small group of people, changed who "
            "can see it or it's been deleted.",
        ),
    },
    "de": {
        "title": "Widerspruch gegen die Verwendung deiner Informationen von Dritten für KI bei Meta",
        "intro": "Wenn du kein Facebook- oder Instagram-Konto hast, kannst du mit diesem Formular der "
        "Verwendung von Informationen über dich, die Meta von Dritten erhalten hat oder die andere "
        "geteilt haben, für die Entwicklung und Verbesserung von KI bei Meta widersprechen.",
        "question": "Was möchtest du tun?",
        "choices": (
            ("own", "Ich möchte der Verwendung meiner Informationen für KI bei Meta widersprechen"),
            (
                "third_party",
                "Ich möchte der Verwendung meiner Informationen von Dritten für KI bei Meta widersprechen",
            ),
            ("other", "Ich habe einen anderen Einwand"),
        ),
        "name": "Vollständiger Name",
        "email": "E-Mail-Adresse",
        "country": "Wo lebst du?",
        "pick": "Land auswählen",
        "where": "Wo sind deine Informationen erschienen?",
        "text": "Bitte erkläre uns, wie sich diese Verarbeitung auf dich auswirkt (optional)",
        "send": "Senden",
        "next": "Weiter",
        "code_title": "Bestätige deine E-Mail-Adresse",
        "code_text": "Wir haben einen 6-stelligen Code an {{email}} gesendet. Gib ihn unten ein.",
        "code_field": "Bestätigungscode",
        "continue": "Weiter",
        "ok": (
            "Wir haben deinen Einspruch erhalten",
            "Das bedeutet, dass deine Anfrage künftig bei der "
            "Entwicklung und Verbesserung von KI bei Meta berücksichtigt wird. Du erhältst eine "
            "E-Mail mit weiteren Informationen.",
        ),
        "error": (
            "Etwas ist schiefgelaufen",
            "Wir arbeiten daran, das Problem so schnell wie möglich "
            "zu beheben. Du kannst es eventuell erneut versuchen.",
        ),
        "unavailable": (
            "Dieser Inhalt ist momentan nicht verfügbar",
            "Dies liegt in der Regel daran, "
            "dass der Eigentümer den Inhalt nur mit einer kleinen Gruppe von Personen "
            "geteilt oder die Zielgruppe geändert hat oder dass der Inhalt gelöscht wurde.",
        ),
    },
}


def third_party_form(lang: str, *, staged: bool, with_name: bool = True) -> str:
    t = THIRD_PARTY[lang]
    radios = "".join(
        f'<div class="{cls("r", value)}" role="radio" aria-checked="false" tabindex="0" '
        f'data-value="{value}" onclick="__fx_radio(this)"><div aria-hidden="true"></div>{span(label)}</div>'
        for value, label in t["choices"]
    )
    options = "".join(f'<option value="{c}">{html.escape(n)}</option>' for c, n in COUNTRIES[lang])
    name = field(
        t["name"],
        '<input type="text" name="name" id="name_input" data-required="name_alert" autocomplete="name">',
        alert="name_alert",
    )
    rest = (
        (name if with_name else "")
        + field(
            t["email"],
            '<input type="email" name="email" id="email_input" data-required="email_alert" autocomplete="email">',
            alert="email_alert",
        )
        + field(
            t["country"],
            f'<select name="country" id="country_select" data-required="country_alert"><option value="">{t["pick"]}</option>{options}</select>',
            alert="country_alert",
        )
        + field(
            t["where"],
            '<textarea name="where" id="where_input" data-required="where_alert" maxlength="2000"></textarea>',
            alert="where_alert",
        )
        + field(
            t["text"],
            '<textarea name="description" id="description_input" maxlength="3000"></textarea>',
        )
        + f"<div>{button(t['send'], '__fx_send(this)')}</div>"
    )
    next_row = f'<div id="next_row">{button(t["next"], "__fx_next()")}</div>' if staged else ""
    return (
        f'<div class="{cls("form", lang)}"><h2>{span(t["title"])}</h2><div>{html.escape(t["intro"])}</div>'
        '<form id="the_form" method="post" action="{{form_action}}" onsubmit="return false" novalidate>'
        '<input type="hidden" name="fb_dtsg" value="{{csrf}}" autocomplete="off">'
        f'<div id="choice_label">{span(t["question"])}</div>'
        f'<div role="radiogroup" aria-labelledby="choice_label" aria-required="true" data-input="choice_input">{radios}</div>'
        '<input type="hidden" name="request_type" id="choice_input" value="" data-required="choice_alert">'
        '<div role="alert" id="choice_alert" aria-live="assertive"></div>'
        f'{next_row}<div id="form_rest" class="{"hidden" if staged else ""}">{rest}</div></form></div>'
    )


def write_around_the_form(
    folder: str,
    site: dict[str, Any],
    lang: str,
    t: dict[str, Any],
    title: str,
    form: str,
    error_title: str,
    unavailable_title: str,
) -> None:
    """The states every form has around it: the cookie dialog over it, the emailed code,
    the confirmation, the error page and the "not available" page."""
    dialog = cookie_dialog(site, lang)
    write(folder, "cookie_banner", lang, page(site, lang, title, form, dialog=dialog))
    write(folder, "code_step", lang, page(site, lang, title, code_step(t)))
    confirmation = status_page(*t["ok"], "status")
    write(folder, "confirmation", lang, page(site, lang, title, confirmation))
    error = status_page(*t["error"], "alert")
    write(folder, "error", lang, page(site, lang, error_title, error))
    unavailable = status_page(*t["unavailable"], "main")
    write(folder, "unavailable", lang, page(site, lang, unavailable_title, unavailable))


def make_third_party() -> None:
    folder = "meta-third-party"
    for lang, t in THIRD_PARTY.items():
        title = f"{t['title']} | Facebook"
        form = third_party_form(lang, staged=False)
        write(folder, "form", lang, page(FACEBOOK, lang, title, form))
        write(
            folder, "choice", lang, page(FACEBOOK, lang, title, third_party_form(lang, staged=True))
        )
        write(
            folder,
            "form_changed",
            lang,
            page(FACEBOOK, lang, title, third_party_form(lang, staged=False, with_name=False)),
        )
        error_title = "Error | Facebook" if lang == "en" else "Fehler | Facebook"
        write_around_the_form(folder, FACEBOOK, lang, t, title, form, error_title, "Facebook")


# -- WhatsApp's reported form for messages with AIs -------------------------------------

WHATSAPP: dict[str, Any] = {
    "id": "whatsapp",
    "name": "WhatsApp",
    "help": "https://faq.whatsapp.com/",
    "help_name": {"en": "Help Center", "de": "Hilfebereich"},
    "footer": {"en": "© 2026 WhatsApp LLC", "de": "© 2026 WhatsApp LLC"},
    "required": {"en": "This field is required.", "de": "Dieses Feld ist erforderlich."},
    "cookies": {
        "en": (
            "Allow the use of cookies from WhatsApp on this browser?",
            "We use cookies to help provide, protect and improve WhatsApp's sites.",
            "Decline optional cookies",
            "Allow all cookies",
        ),
        "de": (
            "Die Verwendung von Cookies durch WhatsApp in diesem Browser erlauben?",
            "Wir verwenden Cookies, um die Websites von WhatsApp bereitzustellen, zu schützen und zu verbessern.",
            "Optionale Cookies ablehnen",
            "Alle Cookies erlauben",
        ),
    },
}
AI_MESSAGES: dict[str, Any] = {
    "en": {
        "title": "Object to Meta using your messages with AIs on WhatsApp",
        "intro": "You have the right to object to Meta using your messages with AIs on WhatsApp "
        "to develop and improve AI at Meta. Use this form to exercise that right.",
        "phone": "Phone number (with country code)",
        "email": "Email address",
        "text": "Please tell us how this processing impacts you (optional)",
        "send": "Send",
        "code_title": "Confirm your email address",
        "code_text": "We sent a 6-digit code to {{email}}. Enter it below.",
        "code_field": "Confirmation code",
        "continue": "Continue",
        "ok": (
            "We've received your objection",
            "We'll honor your objection to Meta using your "
            "messages with AIs on WhatsApp to develop and improve AI at Meta. You'll receive an "
            "email with details.",
        ),
        "error": ("Something went wrong", "We couldn't send your request. Please try again later."),
        "unavailable": (
            "This content isn't available right now",
            "This form isn't available in your region.",
        ),
    },
    "de": {
        "title": "Widerspruch gegen die Nutzung deiner Nachrichten mit KIs auf WhatsApp durch Meta",
        "intro": "Du hast das Recht, der Nutzung deiner Nachrichten mit KIs auf WhatsApp für die "
        "Entwicklung und Verbesserung von KI bei Meta zu widersprechen. Mit diesem Formular kannst "
        "du dieses Recht ausüben.",
        "phone": "Telefonnummer (mit Ländervorwahl)",
        "email": "E-Mail-Adresse",
        "text": "Bitte erkläre uns, wie sich diese Verarbeitung auf dich auswirkt (optional)",
        "send": "Senden",
        "code_title": "Bestätige deine E-Mail-Adresse",
        "code_text": "Wir haben einen 6-stelligen Code an {{email}} gesendet. Gib ihn unten ein.",
        "code_field": "Bestätigungscode",
        "continue": "Weiter",
        "ok": (
            "Wir haben deinen Einspruch erhalten",
            "Wir werden deinem Widerspruch gegen die Nutzung "
            "deiner Nachrichten mit KIs auf WhatsApp für die Entwicklung und Verbesserung von KI "
            "bei Meta nachkommen. Du erhältst eine E-Mail mit weiteren Informationen.",
        ),
        "error": (
            "Etwas ist schiefgelaufen",
            "Deine Anfrage konnte nicht gesendet werden. Bitte versuche es später erneut.",
        ),
        "unavailable": (
            "Dieser Inhalt ist momentan nicht verfügbar",
            "Dieses Formular ist in deiner Region nicht verfügbar.",
        ),
    },
}


def ai_messages_form(lang: str, *, with_phone: bool = True) -> str:
    t = AI_MESSAGES[lang]
    phone = field(
        t["phone"],
        '<input type="tel" name="phone" id="phone_input" data-required="phone_alert" autocomplete="tel" placeholder="+49 151 12345678">',
        alert="phone_alert",
    )
    return (
        f'<div class="{cls("wa", lang)}"><h1>{span(t["title"])}</h1><div>{html.escape(t["intro"])}</div>'
        '<form id="the_form" method="post" action="{{form_action}}" onsubmit="return false" novalidate>'
        '<input type="hidden" name="fb_dtsg" value="{{csrf}}" autocomplete="off">'
        + (phone if with_phone else "")
        + field(
            t["email"],
            '<input type="email" name="email" id="email_input" data-required="email_alert" autocomplete="email">',
            alert="email_alert",
        )
        + field(
            t["text"],
            '<textarea name="description" id="description_input" maxlength="3000"></textarea>',
        )
        + f"<div>{button(t['send'], '__fx_send(this)')}</div></form></div>"
    )


def make_whatsapp() -> None:
    folder = "whatsapp"
    for lang, t in AI_MESSAGES.items():
        title = f"{t['title']} | WhatsApp"
        form = ai_messages_form(lang)
        write(folder, "ai_form", lang, page(WHATSAPP, lang, title, form))
        write(
            folder,
            "ai_form_changed",
            lang,
            page(WHATSAPP, lang, title, ai_messages_form(lang, with_phone=False)),
        )
        write_around_the_form(folder, WHATSAPP, lang, t, title, form, "WhatsApp", "WhatsApp")


if __name__ == "__main__":
    make_third_party()
    make_whatsapp()
