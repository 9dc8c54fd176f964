"""Meta's answers, alerts and codes read in every language of the forms, in wordings the
patterns were not written from: each is judged by that language's own words."""

from __future__ import annotations

import pytest

from widerspruch.page.labels import META_LABELS, Phrases, normalise
from widerspruch.page.wording import LANGUAGE_CODES
from widerspruch.proof.reading import ReplyMismatch, read_reply
from widerspruch.states import Status

# Per language: subject, then an acceptance, a refusal, a request for more information,
# a security alert, a login code, and a refusal that also says the objection was received.
MAILS: dict[str, tuple[str, str, str, str, str, str, str]] = {
    "pt": (
        "A tua objeção",
        "Analisámos a tua objeção à utilização das tuas informações para a IA e iremos aplicá-la.",
        "A tua oposição à utilização dos teus dados para a IA não pôde ser aceite.",
        "Para analisarmos a tua objeção sobre a IA, necessitamos de informações adicionais "
        "sobre a tua conta.",
        "Detetámos um novo início de sessão na tua conta a partir do Chrome em Windows. Foste tu?",
        "O teu código de confirmação é 482913. Introduz este código para confirmar a objeção "
        "sobre a IA.",
        "Recebemos a tua objeção relativa à IA. Após análise, não podemos dar-lhe seguimento.",
    ),
    "sv": (
        "Din invändning",
        "Vi har granskat din invändning mot att din information används för AI och kommer "
        "att respektera den.",
        "Din invändning mot användningen för AI kan vi inte bevilja.",
        "För att kunna hantera din invändning om AI behöver vi ytterligare uppgifter.",
        "Någon loggade in på ditt konto från en okänd enhet. Var det du?",
        "482913 är din bekräftelsekod för invändningen om AI.",
        "Vi har tagit emot din invändning om AI. Efter granskning har den avslagits.",
    ),
    "da": (
        "Din indsigelse",
        "Vi har gennemgået din indsigelse mod brugen af dine oplysninger til AI, og den er nu "
        "blevet imødekommet.",
        "Din indsigelse vedrørende AI kan vi ikke tage til følge.",
        "For at behandle din indsigelse om AI har vi brug for yderligere oplysninger.",
        "Der blev logget ind på din konto fra en ukendt enhed. Var det dig?",
        "Din bekræftelseskode er 482913. Brug denne kode til at bekræfte indsigelsen om AI.",
        "Vi har modtaget din indsigelse vedrørende AI. Efter en vurdering er den blevet afvist.",
    ),
    "nb": (
        "Innsigelsen din",
        "Vi har gått gjennom innsigelsen din mot bruk av opplysningene dine til KI, og den vil "
        "bli etterkommet.",
        "Innsigelsen din om KI har vi valgt å avslå.",
        "For å behandle innsigelsen din om KI trenger vi flere opplysninger fra deg.",
        "Noen logget på kontoen din fra en ukjent enhet. Var dette deg?",
        "482913 er koden din for å bekrefte innsigelsen om KI.",
        "Vi har mottatt innsigelsen din om KI. Etter vurdering kan vi ikke etterkomme den.",
    ),
    "fi": (
        "Vastustuksesi",
        "Olemme käsitelleet tekoälyä koskevan vastustuksesi, ja se on nyt hyväksytty.",
        "Tekoälyä koskevaa vastustustasi emme pysty hyväksymään.",
        "Jotta voimme käsitellä tekoälyä koskevan vastustuksesi, tarvitsemme sinulta lisätietoja.",
        "Tilillesi kirjauduttiin uudelta laitteelta. Olitko se sinä?",
        "Vahvistuskoodisi on 482913. Vahvista sillä tekoälyä koskeva vastustus.",
        "Olemme vastaanottaneet tekoälyä koskevan vastustuksesi. Sitä ei kuitenkaan voida "
        "hyväksyä.",
    ),
    "is": (
        "Andmæli þín",
        "Við höfum farið yfir andmæli þín gegn notkun upplýsinga þinna fyrir gervigreind og "
        "munum virða þau.",
        "Andmælum þínum vegna gervigreindar hefur verið hafnað.",
        "Til að afgreiða andmæli þín vegna gervigreindar þurfum við frekari upplýsingar.",
        "Skráð var inn á reikninginn þinn úr nýju tæki. Var þetta þú?",
        "Staðfestingarkóðinn þinn er 482913; notaðu hann til að staðfesta andmælin vegna "
        "gervigreindar.",
        "Við höfum móttekið andmæli þín vegna gervigreindar. Við getum þó ekki orðið við þeim.",
    ),
    "cs": (
        "Vaše námitka",
        "Vaši námitku proti používání vašich informací pro AI jsme posoudili a vyhovíme jí.",
        "Vaší námitce týkající se AI nelze vyhovět.",
        "Abychom mohli vaši námitku ohledně AI vyřídit, potřebujeme od vás doplňující údaje.",
        "Někdo se přihlásil k vašemu účtu z neznámého zařízení. Byli jste to vy?",
        "Použijte tento kód k potvrzení námitky ohledně AI: 482913.",
        "Vaši námitku týkající se AI jsme obdrželi. Po posouzení jsme ji však zamítli.",
    ),
    "sk": (
        "Vaša námietka",
        "Vašu námietku proti používaniu vašich informácií na AI sme posúdili a budeme ju "
        "rešpektovať.",
        "Vašej námietke týkajúcej sa AI nemôžeme vyhovieť.",
        "Aby sme mohli vašu námietku k AI vybaviť, potrebujeme od vás doplňujúce údaje.",
        "Do vášho účtu sa niekto prihlásil z nového zariadenia. Boli ste to vy?",
        "Váš potvrdzovací kód je 482913, zadajte ho na potvrdenie námietky k AI.",
        "Vašu námietku týkajúcu sa AI sme dostali. Po posúdení sme ju však zamietli.",
    ),
    "sl": (
        "Vaš ugovor",
        "Vaš ugovor proti uporabi vaših informacij za UI smo pregledali in ga bomo upoštevali.",
        "Vašemu ugovoru glede UI ne moremo ugoditi.",
        "Da bi lahko obravnavali vaš ugovor glede UI, potrebujemo od vas dodatne podatke.",
        "V vaš račun se je nekdo prijavil z nove naprave. Ste bili to vi?",
        "Za potrditev ugovora glede UI vnesite to kodo: 482913.",
        "Vaš ugovor glede UI smo prejeli. Po pregledu smo ga zavrnili.",
    ),
    "hr": (
        "Vaš prigovor",
        "Pregledali smo vaš prigovor na korištenje vaših informacija za UI i uvažit ćemo ga.",
        "Vašem prigovoru u vezi s UI ne možemo udovoljiti.",
        "Kako bismo obradili vaš prigovor u vezi s UI, potrebne su nam dodatne informacije.",
        "Netko se prijavio na vaš račun s nepoznatog uređaja. Jeste li to bili vi?",
        "Vaš sigurnosni kod je 482913; unesite ga za potvrdu prigovora u vezi s UI.",
        "Zaprimili smo vaš prigovor u vezi s UI. Nakon pregleda, odbili smo ga.",
    ),
    "hu": (
        "Tiltakozásod",
        "Áttekintettük a mesterséges intelligenciával kapcsolatos tiltakozásodat, és eleget "
        "teszünk neki.",
        "A mesterséges intelligenciával kapcsolatos tiltakozásodat nem áll módunkban elfogadni.",
        "A mesterséges intelligenciát érintő tiltakozásod feldolgozásához további adatokra "
        "van szükségünk.",
        "Valaki bejelentkezett a fiókodba egy ismeretlen eszközről. Te voltál?",
        "A megerősítő kódod: 482913. Ezzel erősítheted meg a mesterséges intelligenciával "
        "kapcsolatos tiltakozást.",
        "Megkaptuk a mesterséges intelligenciával kapcsolatos tiltakozásodat. Alapos vizsgálat "
        "után azt elutasítottuk.",
    ),
    "ro": (
        "Obiecția ta",
        "Am analizat obiecția ta privind utilizarea informațiilor pentru IA și o vom respecta "
        "de acum înainte.",
        "Obiecția ta privind IA nu poate fi admisă.",
        "Pentru a procesa obiecția ta privind IA, avem nevoie de detalii suplimentare.",
        "Cineva s-a conectat la contul tău de pe un dispozitiv nou. Tu ai fost?",
        "Folosește acest cod pentru a confirma obiecția privind IA: 482913.",
        "Am primit obiecția ta privind IA. După analiză, am respins-o.",
    ),
    "bg": (
        "Вашето възражение",
        "Разгледахме възражението ви срещу използването на информацията ви за изкуствен "
        "интелект и ще го уважим.",
        "Възражението ви относно изкуствения интелект не може да бъде уважено.",
        "За да обработим възражението ви относно изкуствения интелект, имаме нужда от "
        "допълнителни данни.",
        "Някой влезе в профила ви от непознато устройство. Вие ли бяхте?",
        "Използвайте този код, за да потвърдите възражението относно изкуствения интелект: 482913.",
        "Получихме възражението ви относно изкуствения интелект. След преглед го отхвърлихме.",
    ),
    "el": (
        "Η αντίρρησή σας",
        "Εξετάσαμε την αντίρρησή σας για τη χρήση των πληροφοριών σας για την τεχνητή "
        "νοημοσύνη και θα τη σεβαστούμε.",
        "Την αντίρρησή σας σχετικά με την τεχνητή νοημοσύνη δεν είμαστε σε θέση να την "
        "ικανοποιήσουμε.",
        "Για να εξετάσουμε την αντίρρησή σας σχετικά με την τεχνητή νοημοσύνη, χρειαζόμαστε "
        "επιπλέον στοιχεία.",
        "Κάποιος συνδέθηκε στον λογαριασμό σας από άγνωστη συσκευή. Ήσασταν εσείς;",
        "Ο κωδικός επιβεβαίωσης για την αντίρρηση σχετικά με την τεχνητή νοημοσύνη είναι 482913.",
        "Λάβαμε την αντίρρησή σας σχετικά με την τεχνητή νοημοσύνη. Μετά από εξέταση, την "
        "απορρίψαμε.",
    ),
    "et": (
        "Teie vastuväide",
        "Vaatasime teie vastuväite tehisintellekti kohta läbi ja rahuldame selle.",
        "Teie vastuväidet tehisintellekti kohta ei ole võimalik rahuldada.",
        "Tehisintellekti puudutava vastuväite menetlemiseks vajame teilt lisateavet.",
        "Teie kontole logiti sisse tundmatust seadmest. Kas see olite teie?",
        "Teie kinnituskood on 482913; sisestage see tehisintellekti vastuväite kinnitamiseks.",
        "Saime teie vastuväite tehisintellekti kohta kätte. Pärast läbivaatamist lükkasime "
        "selle tagasi.",
    ),
    "lv": (
        "Jūsu iebildums",
        "Esam izskatījuši jūsu iebildumu pret jūsu informācijas izmantošanu mākslīgajam "
        "intelektam un to ievērosim.",
        "Jūsu iebildumu par mākslīgo intelektu mēs nevaram apmierināt.",
        "Lai izskatītu jūsu iebildumu par mākslīgo intelektu, mums nepieciešama papildu "
        "informācija.",
        "Jūsu kontā pieteicās no nezināmas ierīces. Vai tas bijāt jūs?",
        "Jūsu apstiprinājuma kods ir 482913; ievadiet to, lai apstiprinātu iebildumu par "
        "mākslīgo intelektu.",
        "Esam saņēmuši jūsu iebildumu par mākslīgo intelektu. Pēc izvērtēšanas mēs to noraidījām.",
    ),
    "lt": (
        "Jūsų prieštaravimas",
        "Išnagrinėjome jūsų prieštaravimą dėl jūsų informacijos naudojimo dirbtiniam "
        "intelektui ir į jį atsižvelgsime.",
        "Jūsų prieštaravimo dėl dirbtinio intelekto negalime patenkinti.",
        "Kad galėtume išnagrinėti jūsų prieštaravimą dėl dirbtinio intelekto, mums reikia "
        "papildomos informacijos.",
        "Kažkas prisijungė prie jūsų paskyros iš nežinomo įrenginio. Ar tai buvote jūs?",
        "Jūsų patvirtinimo kodas yra 482913; įveskite jį, kad patvirtintumėte prieštaravimą "
        "dėl dirbtinio intelekto.",
        "Gavome jūsų prieštaravimą dėl dirbtinio intelekto. Jį išnagrinėję nusprendėme jį atmesti.",
    ),
    "mt": (
        "L-oġġezzjoni tiegħek",
        "Eżaminajna l-oġġezzjoni tiegħek għall-użu tal-informazzjoni tiegħek għall-AI u se "
        "nirrispettawha.",
        "L-oġġezzjoni tiegħek dwar l-AI ma nistgħux nilqgħuha.",
        "Biex nipproċessaw l-oġġezzjoni tiegħek dwar l-AI, neħtieġu informazzjoni addizzjonali.",
        "Xi ħadd daħal fil-kont tiegħek minn apparat mhux magħruf. Kont int?",
        "Il-kodiċi ta' konferma tiegħek għall-oġġezzjoni dwar l-AI huwa 482913.",
        "Irċevejna l-oġġezzjoni tiegħek dwar l-AI. Wara analiżi, ċaħadniha.",
    ),
    "ga": (
        "D'agóid",
        "Rinneamar athbhreithniú ar d'agóid in aghaidh úsáid do chuid faisnéise le haghaidh "
        "intleachta saorga agus glacfaimid léi.",
        "Tar éis athbhreithnithe, níor glacadh le d'agóid maidir le hintleacht shaorga.",
        "Chun d'agóid maidir le hintleacht shaorga a phróiseáil, teastaíonn tuilleadh "
        "faisnéise uainn.",
        "Logáladh isteach i do chuntas ó ghléas nua. An tusa a bhí ann?",
        "Is é 482913 do chód deimhnithe don agóid maidir le hintleacht shaorga.",
        "Fuaireamar d'agóid maidir le hintleacht shaorga. Ar an drochuair, ní féidir linn "
        "glacadh léi.",
    ),
}

ANSWERS = [
    pytest.param(code, index, status, id=f"{code}-{status.value}")
    for code in MAILS
    for index, status in (
        (1, Status.ACKNOWLEDGED),
        (2, Status.REJECTED),
        (3, Status.INFO_REQUESTED),
    )
]
CONCEPT = {
    Status.ACKNOWLEDGED: META_LABELS.reply_accepted,
    Status.REJECTED: META_LABELS.reply_refused,
    Status.INFO_REQUESTED: META_LABELS.reply_info,
}


def _own_words(phrases: Phrases, code: str, text: str) -> bool:
    return bool(phrases.patterns_by_language[code].search(normalise(text)))


def test_every_language_of_the_forms_reads_replies() -> None:
    every = set(LANGUAGE_CODES)
    spoken = {c for c in every if META_LABELS.reply_refused.by_language.get(c)}
    assert spoken == every
    for concept in ("reply_accepted", "reply_info", "mail_security", "mail_code"):
        phrases: Phrases = getattr(META_LABELS, concept)
        assert {c for c in every if phrases.by_language.get(c)} == every, concept


@pytest.mark.parametrize(("code", "index", "status"), ANSWERS)
def test_answers_are_judged_in_their_language(code: str, index: int, status: Status) -> None:
    subject, body = MAILS[code][0], MAILS[code][index]
    reading = read_reply(subject, body)
    assert reading.status is status, reading
    assert reading.phrase is not None
    assert _own_words(CONCEPT[status], code, reading.phrase), reading.phrase


@pytest.mark.parametrize("code", list(MAILS))
def test_a_refusal_that_also_says_received_is_a_refusal(code: str) -> None:
    subject, both = MAILS[code][0], MAILS[code][6]
    received = both.split(". ", 1)[0] + "."
    assert read_reply(subject, received).status is Status.ACKNOWLEDGED  # alone, it accepts
    reading = read_reply(subject, both)
    assert reading.status is Status.REJECTED
    assert reading.phrase is not None
    assert _own_words(META_LABELS.reply_refused, code, reading.phrase), reading.phrase


@pytest.mark.parametrize(
    ("code", "index", "phrases", "what"),
    [
        pytest.param(code, index, phrases, what, id=f"{code}-{what.split()[-1]}")
        for code in MAILS
        for index, phrases, what in (
            (4, META_LABELS.mail_security, "a security alert"),
            (5, META_LABELS.mail_code, "a login or confirmation code"),
        )
    ],
)
def test_alerts_and_codes_are_never_an_answer(
    code: str, index: int, phrases: Phrases, what: str
) -> None:
    body = MAILS[code][index]
    with pytest.raises(ReplyMismatch, match=what):
        read_reply(MAILS[code][0], body)
    assert _own_words(phrases, code, body), body


def test_a_long_email_is_read_from_its_start_and_says_so_when_the_answer_is_not_there() -> None:
    subject, answer = MAILS["sv"][0], MAILS["sv"][1]
    thread = "\n\n> " + "An earlier message, quoted. " * 40_000  # about a megabyte
    assert read_reply(subject, answer + thread).status is Status.ACKNOWLEDGED
    with pytest.raises(ReplyMismatch, match=r"\(of its first 50,000 characters\)$"):
        read_reply(subject, thread + answer)
    with pytest.raises(ReplyMismatch) as short:
        read_reply(subject, "An earlier message, quoted.")
    assert "characters" not in str(short.value)
