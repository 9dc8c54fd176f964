"""The receipt in Portuguese."""

from __future__ import annotations

from widerspruch.states import Status

MONTHS = (
    "janeiro",
    "fevereiro",
    "março",
    "abril",
    "maio",
    "junho",
    "julho",
    "agosto",
    "setembro",
    "outubro",
    "novembro",
    "dezembro",
)
DATE = "{day} de {month} de {year}"
TIME_SUFFIX = ""

TEXT: dict[str, str] = {
    "kind": "Comprovativo",
    "number": "Oposição n.º",
    "title": "Oposição à utilização para IA",
    "service": "Serviço",
    "account": "Conta",
    "full_address": "endereço completo",
    "sent": "Envio",
    "local": "hora local",
    "deadline": "Prazo de resposta",
    "deadline_note": "um mês, artigo 12.º, n.º 3, do RGPD",
    "form": "Formulário",
    "country": "País de residência",
    "template": "Texto",
    "own_text": "texto próprio",
    "what": "O que foi feito",
    "what_1": (
        "Em {date}, através do formulário oficial da Meta, foi apresentada oposição ao abrigo "
        "do <b>artigo 21.º, n.º 1, do RGPD</b> à utilização, pela Meta, das informações da "
        "conta {service} {account} para desenvolver e melhorar a inteligência artificial. A "
        "Meta fundamenta este tratamento no seu «interesse legítimo» (<b>artigo 6.º, n.º 1, "
        "alínea f), do RGPD</b>). Qualquer titular dos dados se pode opor; a Meta tem então "
        "de cessar o tratamento, salvo se apresentar razões imperiosas e legítimas que "
        "prevaleçam sobre os interesses da pessoa."
    ),
    "what_1_demo": (
        "Este é um comprovativo da demonstração do widerspruch. Em {date}, a demonstração "
        "preencheu e enviou o formulário da conta {service} {account}, mas apenas para uma "
        "réplica das páginas da Meta neste computador. <b>Nada foi enviado à Meta e não foi "
        "apresentada qualquer oposição.</b> É este o aspeto do comprovativo de uma oposição "
        "real ao abrigo do artigo 21.º, n.º 1, do RGPD."
    ),
    "what_demo": (
        "A réplica indicou a receção na página (imagem abaixo). Isso não é uma confirmação da Meta."
    ),
    "what_confirmed": "A Meta confirmou a receção na página (imagem abaixo).",
    "what_unconfirmed": "O formulário foi enviado, mas não se viu nenhuma confirmação da Meta.",
    "no_reply": "Ainda não há resposta da Meta por e-mail.",
    "no_reply_unconfirmed": (
        "Só uma resposta da Meta por e-mail mostrará se a oposição chegou; ainda não existe "
        "nenhuma."
    ),
    "replied_acknowledged": "A Meta confirmou a oposição por e-mail ({date}).",
    "replied_rejected": "A Meta recusou a oposição por e-mail ({date}).",
    "replied_info_requested": "A Meta pediu mais informações por e-mail ({date}).",
    "replied_kept": "O e-mail está guardado no processo (ver «Respostas da Meta»).",
    "what_by_person": (
        "O formulário foi enviado e a Meta respondeu, mas não de forma clara. A pessoa leu a "
        "resposta e considera que a Meta aceitou a oposição: trata-se da sua avaliação, não "
        "de uma confirmação da Meta. A página dizia: «{text}»"
    ),
    "what_deadline": (
        "Nos termos do <b>artigo 12.º, n.º 3, do RGPD</b>, a Meta tem de responder no prazo "
        "de um mês, ou seja, até <b>{deadline}</b>. Se não houver resposta, a pessoa pode "
        "lembrar a Meta ou apresentar queixa à autoridade de proteção de dados."
    ),
    "what_deadline_answered": (
        "Nos termos do <b>artigo 12.º, n.º 3, do RGPD</b>, a Meta tinha um mês para o "
        "fazer, ou seja, até <b>{deadline}</b>."
    ),
    "what_rejected": (
        "A pessoa pode apresentar queixa contra a recusa à autoridade de proteção de dados: "
        "a Meta tem de demonstrar razões imperiosas e legítimas, e uma simples recusa não o "
        "faz."
    ),
    "replies": "Respostas da Meta",
    "reply_acknowledged": "A Meta confirma a oposição",
    "reply_rejected": "A Meta recusa a oposição",
    "reply_info_requested": "A Meta pede mais informações",
    "reply_signed": "Assinatura da Meta (DKIM) verificada",
    "reply_unsigned": "Assinatura da Meta (DKIM) não verificada",
    "undated": "sem data",
    "text": "O texto enviado",
    "page": "A página da Meta depois do envio",
    "page_demo": "A réplica da página da Meta depois do envio",
    "no_page": "Não existe captura de ecrã desta página.",
    "verify": "Como verificar este comprovativo",
    "verify_1": (
        "Todas as provas estão na pasta de dados do widerspruch, em <code>{folder}</code>: "
        "capturas de ecrã antes e depois do envio, a página da Meta em HTML, os campos do "
        "formulário enviados e as circunstâncias. <code>manifest.json</code> indica a "
        "impressão digital SHA-256 de cada ficheiro; a sua própria consta do registo, e "
        "aqui:"
    ),
    "verify_2": (
        "Quem voltar a calcular as impressões digitais, com o widerspruch ou com qualquer "
        "outra ferramenta SHA-256, encontra cada ficheiro alterado ou em falta desde então."
    ),
    "help": "Ajuda: como usar o widerspruch",
    "help_note": (
        "Esta secção não faz parte do comprovativo. Indica a quem usa o widerspruch como continuar."
    ),
    "help_verify": "Verificar as provas: <code>widerspruch verify {id}</code>",
    "help_confirm": (
        "Juntar o e-mail da Meta ao processo: a partir da caixa de correio com "
        "<code>widerspruch inbox</code>, ou a partir de um ficheiro guardado com "
        "<code>widerspruch confirm {id} --eml FICHEIRO</code>"
    ),
    "help_followup": (
        "Escrever um lembrete à Meta ou uma queixa à autoridade de proteção de dados: "
        "<code>widerspruch followup {id}</code>"
    ),
    "help_receipt": "Gerar de novo este comprovativo: <code>widerspruch receipt {id}</code>",
    "help_real": "Apresentar uma oposição real: <code>widerspruch submit --help</code>",
    "demo_badge": "DEMO – não enviado à Meta",
    "demo_form": "Réplica do formulário da Meta neste computador (nada foi enviado à Meta)",
    "footer": "Criado com widerspruch {version} em {made}",
    "page_of": "Página {page} de {pages}",
    Status.CONFIRMED: "Confirmada pela Meta na página",
    Status.CONFIRMED_BY_PERSON: "Considerada aceite pela pessoa",
    Status.SUBMITTED_UNCONFIRMED: "Enviada, sem confirmação na página",
    Status.SUBMITTING: "Talvez enviada, sem confirmação",
    Status.ACKNOWLEDGED: "Confirmada pela Meta por e-mail",
    Status.REJECTED: "Recusada pela Meta",
    Status.INFO_REQUESTED: "A Meta pede mais informações",
}
