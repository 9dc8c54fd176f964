"""The receipt in Polish."""

from __future__ import annotations

from widerspruch.states import Status

# In a date the month stands in the genitive: "3 lutego 2026".
MONTHS = (
    "stycznia",
    "lutego",
    "marca",
    "kwietnia",
    "maja",
    "czerwca",
    "lipca",
    "sierpnia",
    "września",
    "października",
    "listopada",
    "grudnia",
)
DATE = "{day} {month} {year}"
TIME_SUFFIX = ""

TEXT: dict[str, str] = {
    "kind": "Potwierdzenie",
    "number": "Sprzeciw nr",
    "title": "Sprzeciw wobec wykorzystywania do celów AI",
    "service": "Usługa",
    "account": "Konto",
    "full_address": "pełny adres",
    "sent": "Wysłano",
    "local": "czas lokalny",
    "deadline": "Termin odpowiedzi",
    "deadline_note": "jeden miesiąc, art. 12 ust. 3 RODO",
    "form": "Formularz",
    "country": "Kraj zamieszkania",
    "template": "Tekst",
    "own_text": "własny tekst",
    "what": "Co zostało zrobione",
    "what_1": (
        "W dniu {date} za pośrednictwem oficjalnego formularza Meta wniesiono sprzeciw na "
        "podstawie <b>art. 21 ust. 1 RODO</b> wobec wykorzystywania przez Meta informacji z "
        "konta {service} {account} do rozwijania i ulepszania sztucznej inteligencji. Meta "
        "opiera to przetwarzanie na swoim „prawnie uzasadnionym interesie” (<b>art. 6 ust. 1 "
        "lit. f RODO</b>). Każda osoba, której dane dotyczą, może wnieść sprzeciw; Meta musi "
        "wówczas zaprzestać przetwarzania, chyba że wykaże ważne prawnie uzasadnione podstawy "
        "nadrzędne wobec interesów tej osoby."
    ),
    "what_1_demo": (
        "To jest potwierdzenie z wersji demonstracyjnej widerspruch. W dniu {date} wersja "
        "demonstracyjna wypełniła i wysłała formularz dla konta {service} {account}, ale "
        "wyłącznie do kopii stron Meta na tym komputerze. <b>Nic nie zostało wysłane do Meta "
        "i nie wniesiono żadnego sprzeciwu.</b> Tak wygląda potwierdzenie prawdziwego "
        "sprzeciwu na podstawie art. 21 ust. 1 RODO."
    ),
    "what_demo": (
        "Kopia strony zgłosiła przyjęcie na stronie (obraz poniżej). Nie jest to "
        "potwierdzenie od Meta."
    ),
    "what_confirmed": "Meta potwierdziła przyjęcie na stronie (obraz poniżej).",
    "what_unconfirmed": (
        "Formularz został wysłany, ale nie widać było żadnego potwierdzenia od Meta."
    ),
    "no_reply": "Meta nie odpowiedziała jeszcze e-mailem.",
    "no_reply_unconfirmed": (
        "Dopiero odpowiedź Meta przesłana e-mailem pokaże, czy sprzeciw dotarł; na razie jej "
        "nie ma."
    ),
    "replied_acknowledged": "Meta potwierdziła sprzeciw e-mailem ({date}).",
    "replied_rejected": "Meta odrzuciła sprzeciw e-mailem ({date}).",
    "replied_info_requested": "Meta poprosiła e-mailem o dodatkowe informacje ({date}).",
    "replied_kept": "E-mail jest przechowywany w aktach (zob. „Odpowiedzi Meta”).",
    "what_by_person": (
        "Formularz został wysłany i Meta odpowiedziała, ale niejednoznacznie. Osoba "
        "zapoznała się z odpowiedzią i ocenia, że Meta przyjęła sprzeciw: to jej ocena, a "
        "nie potwierdzenie od Meta. Strona podawała: „{text}”"
    ),
    "what_deadline": (
        "Zgodnie z <b>art. 12 ust. 3 RODO</b> Meta musi odpowiedzieć w ciągu miesiąca, tu "
        "najpóźniej do <b>{deadline}</b>. Jeśli odpowiedź nie nadejdzie, osoba może "
        "przypomnieć o tym Meta lub złożyć skargę do organu ochrony danych."
    ),
    "what_deadline_answered": (
        "Zgodnie z <b>art. 12 ust. 3 RODO</b> Meta miała na to miesiąc, tu do <b>{deadline}</b>."
    ),
    "what_rejected": (
        "Na odmowę osoba może złożyć skargę do organu ochrony danych: Meta musi wykazać ważne "
        "prawnie uzasadnione podstawy, a sama odmowa tego nie czyni."
    ),
    "replies": "Odpowiedzi Meta",
    "reply_acknowledged": "Meta potwierdza sprzeciw",
    "reply_rejected": "Meta odrzuca sprzeciw",
    "reply_info_requested": "Meta prosi o dodatkowe informacje",
    "reply_signed": "Podpis Meta (DKIM) sprawdzony",
    "reply_unsigned": "Podpis Meta (DKIM) niesprawdzony",
    "undated": "bez daty",
    "text": "Wysłany tekst",
    "page": "Strona Meta po wysłaniu",
    "page_demo": "Kopia strony Meta po wysłaniu",
    "no_page": "Nie ma zrzutu ekranu tej strony.",
    "verify": "Jak sprawdzić to potwierdzenie",
    "verify_1": (
        "Wszystkie dowody znajdują się w folderze danych widerspruch, w "
        "<code>{folder}</code>: zrzuty ekranu przed wysłaniem i po nim, strona Meta w "
        "formacie HTML, wysłane pola formularza i okoliczności. <code>manifest.json</code> "
        "zawiera sumę kontrolną SHA-256 każdego pliku; jego własna suma kontrolna jest w "
        "rejestrze i tutaj:"
    ),
    "verify_2": (
        "Kto ponownie obliczy sumy kontrolne, za pomocą widerspruch lub dowolnego innego "
        "narzędzia SHA-256, wykryje każdy plik, który od tego czasu zmieniono lub którego "
        "brakuje."
    ),
    "help": "Pomoc: jak korzystać z widerspruch",
    "help_note": (
        "Ta część nie należy do potwierdzenia. Podpowiada osobie korzystającej z widerspruch, "
        "co dalej."
    ),
    "help_verify": "Sprawdzić dowody: <code>widerspruch verify {id}</code>",
    "help_confirm": (
        "Dołączyć e-mail od Meta do akt: ze skrzynki pocztowej poleceniem "
        "<code>widerspruch inbox</code> albo z zapisanego pliku poleceniem "
        "<code>widerspruch confirm {id} --eml PLIK</code>"
    ),
    "help_followup": (
        "Napisać przypomnienie do Meta lub skargę do organu ochrony danych: "
        "<code>widerspruch followup {id}</code>"
    ),
    "help_receipt": "Utworzyć to potwierdzenie ponownie: <code>widerspruch receipt {id}</code>",
    "help_real": "Wnieść prawdziwy sprzeciw: <code>widerspruch submit --help</code>",
    "demo_badge": "DEMO – nie wysłano do Meta",
    "demo_form": "Kopia formularza Meta na tym komputerze (nic nie wysłano do Meta)",
    "footer": "Utworzono w widerspruch {version} dnia {made}",
    "page_of": "Strona {page} z {pages}",
    Status.CONFIRMED: "Potwierdzony przez Meta na stronie",
    Status.CONFIRMED_BY_PERSON: "Uznany za przyjęty przez osobę",
    Status.SUBMITTED_UNCONFIRMED: "Wysłany, bez potwierdzenia na stronie",
    Status.SUBMITTING: "Być może wysłany, bez potwierdzenia",
    Status.ACKNOWLEDGED: "Potwierdzony przez Meta e-mailem",
    Status.REJECTED: "Odrzucony przez Meta",
    Status.INFO_REQUESTED: "Meta prosi o dodatkowe informacje",
}
