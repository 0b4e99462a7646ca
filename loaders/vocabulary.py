"""The words exports use, as data in one place: procurement methods from many governments, and the
words, abbreviations and word families of column headers.

Nothing here is code that decides; `values.method_of` and `mapping` read these tables. To teach the
loaders a new export, add a line here (and a test case in tests/test_recognition.py).
"""

from __future__ import annotations

# ---------------------------------------------------------------------------------------------
# Procurement methods, normalised to DESIGN.md's values:
#   competitive: invitation for bid, request for proposals, request for quotes
#   non-competitive: sole source, emergency, exempt
#   neither: small purchase, cooperative, other
#
# METHOD_CODES: a whole cell, lower-cased, punctuation other than '/', '&' and '-' removed, that is a code
# or short name ("ITB", "SS", "ACAN", "RFSO"). Exact only: two letters mean nothing inside a sentence.
# METHOD_PATTERNS: regular expressions searched in the lower-cased text; the first that matches wins, so
# specific names come before general ones (an "emergency sole source" is an emergency).
#
# Choices worth knowing:
# - US federal FAR "extent competed" (FPDS / USAspending): full and open competition (with or without
#   exclusion of sources, i.e. set-asides) counts as a request for proposals, the usual negotiated
#   procurement; competed under simplified acquisition procedures (SAP) as a request for quotes; not
#   competed, follow-on to a competed action, not competed under SAP and a non-competitive delivery order as
#   sole source; not available for competition (a statute names the source) as exempt.
# - Canada: RFT (request for tender) and open bidding are invitations for bid; RFP, NRFP (negotiated RFP),
#   RFSO (request for standing offer), RFSA and RFSQ (supply arrangement / supplier qualification) are
#   proposal processes; ACAN (advance contract award notice) and traditional non-competitive are sole source;
#   "traditional competitive" (suppliers invited directly) is a request for quotes.
# - UK / EU: the open procedure is an invitation for bid; restricted, competitive dialogue, competitive
#   procedure with negotiation, competitive flexible procedure and innovation partnership are proposal
#   processes; negotiated without (prior) notice / publication and direct award are sole source; a call-off
#   from a framework (direct or by mini-competition / further competition) is cooperative (aggregated).
# - "Advertised" alone is a request for proposals (Philadelphia's advertised professional-services RFPs);
#   "advertised bid" and "formal bid" are invitations for bid.
# - "Request for qualifications" (RFQual, SOQ) is a proposal process, not a request for quotes.
# - "Non-competitive" without more detail is sole source.

METHOD_CODES: dict[str, str] = {
    # invitation for bid
    "ifb": "invitation for bid", "itb": "invitation for bid", "rfb": "invitation for bid",
    "rft": "invitation for bid", "bid": "invitation for bid", "bids": "invitation for bid",
    "csb": "invitation for bid", "formal": "invitation for bid", "sealed bid": "invitation for bid",
    "ob": "invitation for bid", "open": "invitation for bid", "competitive": "invitation for bid",
    "lowest price": "invitation for bid", "tender": "invitation for bid", "itt": "invitation for bid",
    # request for proposals
    "rfp": "request for proposals", "nrfp": "request for proposals", "rfso": "request for proposals",
    "rfsq": "request for proposals", "rfsa": "request for proposals", "rfq/rfp": "request for proposals",
    "csp": "request for proposals", "soq": "request for proposals", "rfqual": "request for proposals",
    "advertised": "request for proposals", "restricted": "request for proposals",
    "best value": "request for proposals", "full and open": "request for proposals",
    # request for quotes
    "rfq": "request for quotes", "iq": "request for quotes", "quote": "request for quotes",
    "quotes": "request for quotes", "tc": "request for quotes", "cdo": "request for quotes",
    "informal": "request for quotes",
    # non-competitive
    "ss": "sole source", "sss": "sole source", "ssj": "sole source", "sole": "sole source",
    "acan": "sole source", "tn": "sole source", "ac": "sole source", "ndo": "sole source",
    "nc": "sole source",
    "emerg": "emergency", "emer": "emergency", "em": "emergency",
    "exempt": "exempt", "exm": "exempt", "ex": "exempt",
    # neither
    "coop": "cooperative", "co-op": "cooperative", "piggyback": "cooperative", "gsa": "cooperative",
    "framework": "cooperative", "call-off": "cooperative", "call off": "cooperative",
    "p-card": "small purchase", "pcard": "small purchase", "p card": "small purchase",
    "micro": "small purchase", "micropurchase": "small purchase", "small": "small purchase",
    "petty cash": "small purchase", "spo": "small purchase",
}

METHOD_PATTERNS: tuple[tuple[str, str], ...] = (
    ("emergency", r"\bemergenc|\bextreme urgency|\burgent (and|&) compelling|\bunusual and compelling|"
                  r"\burgencia imperiosa|\burgence imperieuse"),
    # Framework call-offs before "direct award" / "competition": a call-off is aggregated buying.
    ("cooperative", r"\bframework|\bcall\W*off|\bmini\W*competition|\bfurther competition|\bdynamic purchasing|"
                    r"\bstanding offer call|\bsupply arrangement call|\bacordo\W*quadro|\bacuerdo\W*marco|"
                    r"\baccord\W*cadre|\bcentral de compras"),
    # FAR extent competed, specific phrasings first.
    ("sole source", r"\bnot competed|\bfollow\W*on to (a )?competed|\bnon\W*competitive delivery order|"
                    r"\bonly one (responsible )?source|\bsole\W*source|\bsingle\W*source|\bproprietary|"
                    r"\bnon\W*competitive|\bnon\W*competed|\bno\W*bid\b|\bdirect (contract )?award|"
                    r"\bnegotiated without (a )?(prior )?(notice|publication|competition|call)|"
                    r"\bwithout (prior )?(publication|notice)|\badvance contract award notice|"
                    r"\blimited tender|\bsole\W*brand|\bbrand name only|\bsingle tender|"
                    # Portuguese, Spanish, French (accents folded): direct award, negotiated without notice
                    r"\bajuste dire(c)?to|\badjudicacion directa|\bcontratacion directa|\bgre a gre|"
                    r"\bsem (previa )?publicacao|\bsin (previa )?publicidad|\bsans (publicite|mise en concurrence)|"
                    r"\bmarche negocie sans"),
    ("exempt", r"\bnot available for competition|\bexempt|\bexemption|\bwaive|\bauthori[sz]ed by statute|"
               r"\bcontratacao excluida|\bcontratacion excluida"),
    # Portuguese, Spanish, French procedures (accents folded), before the English names they contain.
    ("request for quotes", r"\bconsulta previa|\bsolicitud de cotizacion|\bcotizacion|\bdemande de (prix|devis)|"
                           r"\bprocedimiento simplificado|\bprocedure adaptee"),
    ("request for proposals", r"\bconcurso limitado|\bprevia qualificacao|\bprocedimiento restringido|"
                              r"\bprocedure restreinte|\bappel d.offres restreint|\bprocedimento (de )?negocia|"
                              r"\bprocedimiento negociado|\bprocedure (concurrentielle )?(avec )?negoci|"
                              r"\bdialogo (concorrencial|competitivo)|\bdialogue competitif|\bparceria para a inovacao|"
                              r"\basociacion para la innovacion|\bpartenariat d.innovation"),
    ("small purchase", r"\bcontrato menor|\bcontratacion menor|\bmarche sans procedure"),
    ("invitation for bid", r"\bconcurso publico|\blicitacion publica|\bprocedimiento abierto|\bprocedure ouverte|"
                           r"\bappel d.offres ouvert|\bconcurso aberto|\bconcurso abierto|^abierto\b"),
    ("request for quotes", r"\bcompeted under sap\b|\bcompeted under simplified|\bcompetitive delivery order|"
                           r"\btraditional competitive"),
    ("cooperative", r"\bco\W*op|\bpiggy\W*back|\bcooperative|\bstate contract|\bgsa\b|\bsourcewell|\bomnia\b|"
                    r"\bnaspo|\binterlocal|\bintergovernmental|\bjoint purchas|\bhgac|\btips\b|"
                    r"\bstatewide contract|\bstate term contract|\bconsortium|\bcollaborative"),
    ("small purchase", r"\bsmall\W*purchase|\bmicro\W*purchase|\bp\W*card|\bpurchasing card|\bpetty cash|"
                       r"\bdirect purchase|\bbelow threshold|\bunder threshold|\bsmall dollar|\bdiscretionary|"
                       r"\blow value|\bsmall value"),
    ("request for proposals", r"\bfull (and|&) open|\bopen competition after exclusion|"
                              r"\brfp|\bnrfp|\brfso\b|\brfsq\b|\brfsa\b|\brequest for (a )?proposals?|"
                              r"\brequest for standing offers?|\brequest for supply arrangements?|"
                              r"\brequest for supplier qualification|\bnegotiated (request|rfp)|\bproposals?\b|"
                              r"\bcompetitive sealed proposal|\brfq\W*ual|\brequest for qualifications?|"
                              r"\bqualifications|\bsoq\b|\bbest value|\brfi/rfp|^advertised$|"
                              r"\badvertised (rfp|proposal)|\bcompetitive negotiation|\brestricted (procedure)?|"
                              r"\bcompetitive dialogue|\bcompetitive procedure with negotiation|"
                              r"\bcompetitive flexible|\binnovation partnership|\bnegotiated procedure with"),
    ("request for quotes", r"\brfq|\brequest for quot|\bquot(e|es|ation|ations)\b|\binformal (bid|quote)|"
                           r"\bwritten quot|\bthree quotes|\b3 quotes|\binvitational"),
    ("invitation for bid", r"\bitb\b|\bifb\b|\bitt\b|\brft\b|\binvitation (to|for) (bids?|tenders?)|\bformal bid|"
                           r"\bsealed bid|\bcompetitive (sealed )?bid|\badvertised bid|\blow(est)? (bid|price)|"
                           r"^bids?$|\bcompetitive$|\bcompetitive bidding|^formal$|\bpublic (bid|tender)|\brfb\b|"
                           r"\brequest for (bids?|tenders?)\b|\bopen (procedure|bidding|tender)|^open$|"
                           r"\bcompetitive tender|\bopen competitive"),
)

# ---------------------------------------------------------------------------------------------
# Header words

# Portuguese, Spanish and French header words and phrases, read as the English words the vocabularies
# know (after accents are folded and the header lower-cased: 'Preço Inicial (€)' -> 'preco inicial' ->
# 'initial price'). Phrases first ('preco base', the budget before the award, is not the contract's
# price), then single words. 'de', 'da', 'del', 'des'... are 'of' (so 'Número de concorrentes' is a
# count of bidders, not a vendor's number).
FOREIGN_PHRASES: dict[str, str] = {
    "preco base": "budget", "precio base": "budget", "precio base de licitacion": "budget",
    "prix de base": "budget", "valor base": "budget", "valor estimado": "estimated value",
    "valor estimado del contrato": "estimated value", "valeur estimee": "estimated value",
    "entidade adjudicante": "department", "entidad adjudicadora": "department",
    "entidad contratante": "department", "organo de contratacion": "department",
    "pouvoir adjudicateur": "department", "acheteur public": "department",
    "tipo de procedimento": "procedure", "tipo de procedimiento": "procedure", "type de procedure": "procedure",
    "numero de concorrentes": "number of bidders", "numero de licitadores": "number of bidders",
    "numero de ofertas": "number of offers", "nombre d offres": "number of offers",
    "nombre de soumissionnaires": "number of bidders", "numero de propostas": "number of offers",
    "data de celebracao": "signed date", "fecha de formalizacion": "signed date",
    "fecha de firma": "signed date", "date de signature": "signed date", "date de notification": "award date",
    "data de adjudicacao": "award date", "fecha de adjudicacion": "award date", "date d attribution": "award date",
    "data de publicacao": "publish date", "fecha de publicacion": "publish date",
    "date de publication": "publish date", "prazo de execucao": "execution period",
    "plazo de ejecucion": "execution period", "duree du marche": "execution period",
    "criterio de adjudicacao": "award basis", "criterio de adjudicacion": "award basis",
    "critere d attribution": "award basis", "objeto do contrato": "contract title",
    "objeto del contrato": "contract title", "objet du marche": "contract title",
    "numero de expediente": "reference number", "numero do processo": "reference number",
    "numero de procedimiento": "reference number", "numero du marche": "contract number",
    "numero de contrato": "contract number", "numero do contrato": "contract number",
    "no dossier": "reference number", "numero de dossier": "reference number",
    "numero du dossier": "reference number", "appel d offres": "tender", "appel offres": "tender",
    "appels d offres": "tender",
}
FOREIGN_WORDS: dict[str, str] = {
    # of, the, and
    "de": "of", "da": "of", "do": "of", "das": "of", "dos": "of", "del": "of", "des": "of", "du": "of",
    "la": "the", "el": "the", "le": "the", "les": "the", "los": "the", "las": "the", "o": "the",
    "e": "and", "y": "and", "et": "and", "ou": "or",
    # the agreement and its parties
    "contrato": "contract", "contratos": "contract", "contrat": "contract", "marche": "contract",
    "adjudicatario": "awardee", "adjudicataria": "awardee", "attributaire": "awardee", "titulaire": "awardee",
    "fornecedor": "supplier", "proveedor": "supplier", "fournisseur": "supplier", "contratista": "contractor",
    "empresa": "company", "entreprise": "company", "entidade": "entity", "entidad": "entity", "entite": "entity",
    "organismo": "agency", "organisme": "agency", "ministerio": "ministry", "ministere": "ministry",
    # money
    "preco": "price", "precio": "price", "prix": "price", "valor": "value", "valeur": "value",
    "importe": "amount", "monto": "amount", "montante": "amount", "montant": "amount",
    "inicial": "initial", "initial": "initial", "efetivo": "final", "efectivo": "final", "effectif": "final",
    "final": "final", "contratual": "contract", "contractual": "contract", "adjudicado": "awarded",
    "estimado": "estimated", "estime": "estimated", "estimee": "estimated",
    # dates and terms
    "data": "date", "fecha": "date", "inicio": "start", "debut": "start", "fim": "end", "fin": "end",
    "termino": "end", "celebracao": "signed", "celebracion": "signed", "assinatura": "signed",
    "firma": "signed", "signature": "signed", "adjudicacao": "award", "adjudicacion": "award",
    "attribution": "award", "publicacao": "publication", "publicacion": "publication", "prazo": "period",
    "plazo": "period", "duracao": "duration", "duracion": "duration", "duree": "duration", "fecho": "closing",
    "cierre": "closing", "cloture": "closing", "dias": "days", "jours": "days", "ano": "year",
    "annee": "year", "mes": "month", "mois": "month",
    # what and how
    "descricao": "description", "descripcion": "description", "breve": "short", "objeto": "subject",
    "objet": "subject", "designacao": "designation", "procedimento": "procedure",
    "procedimiento": "procedure", "procedure": "procedure", "tipo": "type", "modalidade": "type",
    "modalidad": "type", "categoria": "category", "categorie": "category", "estado": "status",
    "etat": "status", "estatuto": "status", "numero": "number", "num": "number", "nif": "tax id",
    "concorrentes": "bidders", "licitadores": "bidders", "licitantes": "bidders", "soumissionnaires": "bidders",
    "propostas": "offers", "ofertas": "offers", "offres": "offers", "lote": "lot", "lotes": "lots",
    "municipio": "municipality", "commune": "municipality", "distrito": "district", "pais": "country",
    "moeda": "currency", "moneda": "currency", "devise": "currency", "criterio": "criterion",
    # spend
    "pagamento": "payment", "pagamentos": "payment", "pago": "paid", "pagos": "payment", "pagado": "paid",
    "paiement": "payment", "paye": "paid", "fatura": "invoice", "factura": "invoice", "facture": "invoice",
    "despesa": "expenditure", "gasto": "expenditure", "depense": "expenditure", "beneficiario": "beneficiary",
    "beneficiaire": "beneficiary", "expediente": "file", "dossier": "file", "texte": "description",
    "soumissions": "bids", "soumission": "bid",
}

# Abbreviations spelled out before comparing (both sides): 'Inv Dt' meets 'invoice date'.
ABBREVIATIONS: dict[str, str] = {
    "amt": "amount", "amnt": "amount", "dt": "date", "dte": "date", "num": "number", "no": "number",
    "nbr": "number", "nr": "number", "nmbr": "number", "#": "number", "id": "id",
    "desc": "description", "descr": "description", "dsc": "description",
    "dept": "department", "dpt": "department", "depts": "department",
    "vend": "vendor", "vndr": "vendor", "vdr": "vendor", "ven": "vendor",
    "inv": "invoice", "invc": "invoice",
    "pmt": "payment", "pymt": "payment", "pmnt": "payment", "paymt": "payment",
    "qty": "quantity", "est": "estimated", "orig": "original", "curr": "current", "cur": "current",
    "cert": "certification", "certs": "certifications", "org": "organization",
    "sol": "solicitation", "solic": "solicitation", "ctr": "contract", "cntrct": "contract",
    "contr": "contract", "cntr": "contract", "ctrct": "contract", "yr": "year", "nm": "name",
    "ttl": "total", "tot": "total", "val": "value", "eff": "effective", "chk": "check", "chq": "check",
    "cheque": "check", "req": "requisition", "reqn": "requisition",
    "rcvd": "received", "recd": "received", "rec": "received", "rcv": "received",
    "proc": "procurement", "mthd": "method", "meth": "method",
    "addr": "address", "exp": "expiration", "expir": "expiration", "expiry": "expiration",
    "strt": "start", "beg": "begin", "ytd": "year to date", "acct": "account", "fy": "fiscal year",
    "po": "purchase order", "eft": "eft", "trans": "transaction", "txn": "transaction", "trx": "transaction",
    "doc": "document", "ref": "reference", "pd": "paid", "cat": "category", "catg": "category",
    "comm": "commodity", "cmdty": "commodity", "mgr": "manager", "div": "division", "agcy": "agency",
    "amd": "amendment", "amdt": "amendment", "mod": "modification", "mods": "modifications",
    "rnwl": "renewal", "opt": "option", "opts": "options", "perf": "performance", "eval": "evaluation",
    "evals": "evaluations", "compl": "completed", "cmpl": "completed", "sched": "scheduled",
    "awd": "award", "awrd": "award", "stat": "status", "sts": "status", "typ": "type", "cd": "code",
    "lbe": "lbe", "sbe": "sbe", "bus": "business", "biz": "business", "co": "company",
    "supp": "supplier", "suppl": "supplier", "sup": "supplier", "bidr": "bidder",
    "ext": "extension", "extd": "extended", "lc": "local currency", "dba": "dba", "nett": "net",
    "subj": "subjective", "exps": "expenses", "expense": "expense",
}

# Word families: words that say the same thing about a column, mapped to the word the canonical names
# use. Applied after abbreviations, to the words of both the header and the canonical names.
WORD_FAMILIES: dict[str, str] = {
    # who was paid / who bid / who holds the contract
    "supplier": "vendor", "suppliers": "vendor", "payee": "vendor", "contractor": "vendor",
    "awardee": "vendor", "recipient": "vendor", "bidder": "vendor", "firm": "vendor", "vendors": "vendor",
    "merchant": "vendor", "dba": "name", "beneficiary": "vendor", "respondent": "vendor",
    "proposer": "vendor", "provider": "vendor", "seller": "vendor", "remit": "vendor", "remittee": "vendor",
    "tenderer": "vendor", "tenderers": "bidders", "competitors": "bidders", "company": "vendor",
    # who won: 'Winner Company' is the awarded vendor
    "winner": "award", "winning": "award",
    # a vendor's legal name as registered ('Vendor_Formal_Name')
    "formal": "legal",
    # the payment itself
    "check": "payment", "cheque": "payment", "warrant": "payment", "disbursement": "payment",
    "voucher": "payment", "eft": "payment", "ach": "payment", "expenditure": "payment",
    "expense": "payment", "payments": "payment", "paid": "payment", "pay": "payment",
    # money
    "net": "amount", "gross": "amount", "extension": "amount", "total": "amount", "sum": "amount",
    "dollars": "amount", "dollar": "amount", "value": "amount", "cost": "amount", "price": "amount",
    "spend": "amount", "spent": "amount", "amounts": "amount", "extended": "amount", "monetary": "amount",
    # identity
    "number": "id", "code": "id", "identifier": "id", "key": "id", "ref": "id", "reference": "id",
    "nbr": "id",
    # organisation
    "agency": "department", "division": "department", "bureau": "department", "office": "department",
    "organization": "department", "directorate": "department", "ministry": "department",
    "entity": "department", "unit": "department", "cost centre": "department", "fund": "department",
    # description
    "descr": "description", "desc": "description", "purpose": "description",
    "memo": "description", "narrative": "description", "subject": "description", "scope": "description",
    # agreements
    "agreement": "contract", "contracts": "contract", "po": "purchase order",
    # procurement process
    "tender": "solicitation", "bid": "solicitation", "rfp": "solicitation", "opportunity": "solicitation",
    "event": "solicitation", "procurement": "solicitation", "rfx": "solicitation",
    # dates
    "dated": "date", "dates": "date", "day": "date", "on": "date",
    "published": "publish", "publication": "publish",
    # how
    "procedure": "method", "type": "method",
    # time span
    "expiration": "end", "expiry": "end", "expires": "end", "termination": "end", "finish": "end",
    "effective": "start", "commencement": "start", "begin": "start", "beginning": "start",
    "award": "award", "awarded": "award",
}

# Words that make a column about something else than the thing it names: 'Vendor Contact Number' is a phone
# number, not the vendor's id; 'Vendor Email' is not the vendor. A header holding one of these matches an
# alias only when the alias holds it too.
OTHER_ATTRIBUTE_WORDS: frozenset[str] = frozenset({
    "contact", "phone", "telephone", "tel", "fax", "email", "mail", "address", "street", "city", "state",
    "zip", "postal", "postcode", "post", "county", "country", "url", "link", "website", "web", "attachment",
    "attachments", "comment", "comments", "note", "notes", "remarks", "created", "modified", "updated",
    "user", "time", "hour", "percent", "percentage", "pct", "count", "flag", "tax", "fiscal", "year",
    "month", "quarter", "line", "sequence", "seq", "row", "index", "rank", "latitude", "longitude",
    "parent", "naics", "psc", "zone", "district", "ward", "fund", "program",
    "project", "grant", "account", "object", "budget", "encumbrance", "balance", "remaining", "retainage",
    "job", "client", "experience", "bonding", "union", "ethnicity", "gender",
})
# Single concepts too general to name a column inside a longer header on their own ('Vendor Contact
# Number' is not a 'reference #').
GENERIC_CONCEPTS: frozenset[str] = frozenset({"id", "amount", "date", "name", "description", "method",
                                              "status", "department", "payment", "vendor", "solicitation",
                                              "contract", "award", "start", "end"})

# Headers that name something the canonical tables do not hold, however their words read ('Company Code'
# is SAP's legal entity, not a vendor's id): never mapped automatically (the user still can).
NOT_COLUMNS: frozenset[str] = frozenset({
    "company code", "co code", "fiscal year", "fiscal period", "posting period", "document type", "doc type",
    "posting key", "currency", "currency key", "fund", "fund code", "object code", "gl account", "g l account",
    "cost element", "ledger", "batch", "batch number", "journal", "journal number", "line number",
    "record number", "row number", "id", "#", "no", "vendor contact number", "contact number",
    "bidder number", "bidder no", "bidder #", "bid rank", "rank", "bidder rank", "bidder order",
    "phone number", "telephone number", "fax number", "zip code", "postal code", "tax id", "ein",
})

# What a date column writes for "no date": an open-ended contract, a date not set yet. Not evidence against
# the column holding dates.
OPEN_END_WORDS: frozenset[str] = frozenset({
    "ongoing", "on going", "open", "open ended", "open-ended", "tbd", "tba", "tbc", "until completion",
    "on completion", "completion", "upon completion", "until further notice", "indefinite", "rolling",
    "evergreen", "perpetual", "n/a", "na", "none", "various", "as required",
})

# A summary is not records: an Excel pivot's headers ('Sum of Invoice Nett Amount', 'Row Labels'), or money
# columns that are all totals ('total', 'total_constant_2019_dollars') with no date to place a record in time.
PIVOT_HEADER_PREFIXES: tuple[str, ...] = ("sum of ", "count of ", "average of ", "avg of ", "max of ", "min of ",
                                          "total of ", "countof ", "sumof ")
PIVOT_HEADERS: frozenset[str] = frozenset({"row labels", "column labels", "grand total", "values"})
AGGREGATE_WORDS: frozenset[str] = frozenset({"total", "totals", "sum", "subtotal", "aggregate", "overall"})

# Amounts written in thousands or millions, said in the header ('eng_estimate_mils', 'Value ($000s)',
# 'Budget £m'): the words (whole words of the header) and the factor to dollars.
UNIT_SCALES: dict[str, float] = {
    "mils": 1e6, "mil": 1e6, "millions": 1e6, "million": 1e6, "mm": 1e6, "m": 1e6,
    "thousands": 1e3, "thousand": 1e3, "000s": 1e3, "000": 1e3, "k": 1e3, "bn": 1e9, "billions": 1e9,
}

# Words that say nothing about what a column is ('Amount (USD)', 'Vendor Name - Text').
STOP_WORDS: frozenset[str] = frozenset({
    "the", "of", "a", "an", "for", "to", "in", "by", "and", "or", "usd", "cad", "gbp", "eur", "us", "c", "r",
    "dollars", "text", "field", "col", "column", "value", "lc", "local", "currency",
})

# Whole words ERP exports truncate to a fixed width ('VENDOR_NA', 'CHECK_DT', 'DEPT_DESC', 'INVOICE_DA'):
# a header word that is the start (4 letters or more, or 2-3 letters at the end of a multi-word header) of
# exactly one of these is read as it.
WHOLE_WORDS: tuple[str, ...] = (
    "vendor", "name", "number", "amount", "date", "description", "department", "payment", "invoice",
    "contract", "purchase", "order", "solicitation", "method", "category", "commodity", "status", "start",
    "expiration", "original", "current", "received", "requisition", "estimated", "awarded", "award",
    "issue", "transaction", "document", "organization", "division", "agency", "account", "supplier",
    "voucher", "warrant", "check", "effective", "certification", "registration", "evaluation", "completed",
    "renewal", "options", "remaining", "amendment", "modification", "performance", "quantity", "address",
)
