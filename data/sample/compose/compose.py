#!/usr/bin/env python3
"""Composes the sample corpus from hand-written phrase banks (themes.py) and sentence
templates, following the plan of projects, networks and practices in plan.json."""
import json, os, random, re, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from themes import FI, SV

rng = random.Random(2026)
plan = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "plan.json")))
REGION_FI = {"ita-uusimaa": ("Itä-Uudenmaan hyvinvointialue", "Itä-Uudellamaalla"), "keski-uusimaa": ("Keski-Uudenmaan hyvinvointialue", "Keski-Uudellamaalla"), "lansi-uusimaa": ("Länsi-Uudenmaan hyvinvointialue", "Länsi-Uudellamaalla"), "vantaa-kerava": ("Vantaan ja Keravan hyvinvointialue", "Vantaalla ja Keravalla"), "varsinais-suomi": ("Varsinais-Suomen hyvinvointialue", "Varsinais-Suomessa"), "satakunta": ("Satakunnan hyvinvointialue", "Satakunnassa"), "kanta-hame": ("Kanta-Hämeen hyvinvointialue", "Kanta-Hämeessä"), "pirkanmaa": ("Pirkanmaan hyvinvointialue", "Pirkanmaalla"), "paijat-hame": ("Päijät-Hämeen hyvinvointialue", "Päijät-Hämeessä"), "kymenlaakso": ("Kymenlaakson hyvinvointialue", "Kymenlaaksossa"), "etela-karjala": ("Etelä-Karjalan hyvinvointialue", "Etelä-Karjalassa"), "etela-savo": ("Etelä-Savon hyvinvointialue", "Etelä-Savossa"), "pohjois-savo": ("Pohjois-Savon hyvinvointialue", "Pohjois-Savossa"), "pohjois-karjala": ("Pohjois-Karjalan hyvinvointialue", "Pohjois-Karjalassa"), "keski-suomi": ("Keski-Suomen hyvinvointialue", "Keski-Suomessa"), "etela-pohjanmaa": ("Etelä-Pohjanmaan hyvinvointialue", "Etelä-Pohjanmaalla"), "pohjanmaa": ("Pohjanmaan hyvinvointialue", "Pohjanmaalla"), "keski-pohjanmaa": ("Keski-Pohjanmaan hyvinvointialue", "Keski-Pohjanmaalla"), "pohjois-pohjanmaa": ("Pohjois-Pohjanmaan hyvinvointialue", "Pohjois-Pohjanmaalla"), "kainuu": ("Kainuun hyvinvointialue", "Kainuussa"), "lappi": ("Lapin hyvinvointialue", "Lapissa"), "helsinki": ("Helsingin kaupunki", "Helsingissä"), "national": ("Terveyden ja hyvinvoinnin laitos", "koko maassa")}
REGION_SV = {"pohjanmaa": ("Österbottens välfärdsområde", "i Österbotten"), "lansi-uusimaa": ("Västra Nylands välfärdsområde", "i Västra Nyland"), "ita-uusimaa": ("Östra Nylands välfärdsområde", "i Östra Nyland"), "varsinais-suomi": ("Egentliga Finlands välfärdsområde", "i Egentliga Finland"), "keski-pohjanmaa": ("Mellersta Österbottens välfärdsområde", "i Mellersta Österbotten"), "helsinki": ("Helsingfors stad", "i Helsingfors"), "national": ("Institutet för hälsa och välfärd", "i hela landet"), "vantaa-kerava": ("Vanda och Kervo välfärdsområde", "i Vanda och Kervo")}
NGOS_FI = ["Kotikulma ry", "Mielensilta ry", "Arjen Tuki ry", "Perheverkko ry", "Hoivatiimi Oy", "Lähimmäisapu ry", "Kumppanuustalo ry", "Omaisten Voimavarat ry"]
NGOS_SV = ["Föreningen Livskraft rf", "Närståendeföreningen Stöd rf", "Familjehuset rf", "Ungdomsringen rf"]
PHASES = ["developing", "ready", "evaluated"]

def slug(s):
    s = s.lower().translate(str.maketrans("äöåé", "aoae"))
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")[:70].strip("-")

def date_in(y0, y1):
    y = rng.randint(y0, y1); m = rng.randint(1, 12); d = rng.randint(1, 28)
    return f"{y:04d}-{m:02d}-{d:02d}"

def later(d, max_days=500):
    import datetime
    base = datetime.date.fromisoformat(d) + datetime.timedelta(days=rng.randint(0, max_days))
    return min(base, datetime.date(2026, 11, 20)).isoformat()

def fi_practice(head, th, region, proj, n):
    t = FI[th]; org, where = REGION_FI[region]
    nom, gen, ine, ela, ill = t["service"]; pl_nom, pl_gen, pl_ine = t["services_pl"]
    c_nom, c_gen, c_all = t["clients"]
    acts = rng.sample(t["acts"], 3)
    ngo = rng.choice(NGOS_FI)
    summary = rng.choice([
        f"{head} on {gen} toimintamalli, jossa {c_nom} {acts[0]}. Malli on kehitetty {where} yhdessä asiakkaiden ja järjestöjen kanssa.",
        f"Toimintamallissa {c_nom} {acts[0]}. Malli kokoaa {gen} ammattilaiset ja yhteistyökumppanit samaan prosessiin {where}.",
        f"{head} vahvistaa {c_gen} tukea {ine}. Mallin avulla {c_nom} {acts[1]}.",
    ])
    goals = rng.choice([
        f"Tavoitteena on, että {c_nom} {acts[1]}. Lisäksi halutaan vähentää raskaiden palveluiden tarvetta ja parantaa {pl_gen} saatavuutta.",
        f"Mallin tavoitteena on lyhentää odotusaikoja ja tehdä {pl_nom} helpommiksi löytää. {c_nom.capitalize()} {acts[2]}.",
        f"Tavoitteena on yhdenvertainen pääsy {ill} koko alueella sekä sosiaali- ja terveyspalvelujen parempi yhteensovittaminen.",
    ])
    how = " ".join(rng.sample([
        f"Asiakas ohjautuu malliin neuvonnan, terveysaseman tai {gen} ammattilaisen kautta.",
        f"Ensimmäisellä tapaamisella kartoitetaan asiakkaan tilanne ja laaditaan yhdessä tavoitteet.",
        f"{c_nom.capitalize()} {acts[2]}.",
        f"Työtä tehdään parityönä niin, että sosiaalihuollon ja terveydenhuollon osaaminen on mukana samalla käynnillä.",
        f"Tapaamisia järjestetään sekä kasvokkain että etävastaanottona, asiakkaan toiveen mukaan.",
        f"Yhteistyö {ngo[:-3] if ngo.endswith(' ry') else ngo}-järjestön kanssa tuo mukaan vertaistuen ja vapaaehtoiset.",
        "Kun tarve muuttuu, asiakas ohjataan saumattomasti muihin palveluihin ilman uutta jonoa.",
        f"Tiimi kokoontuu viikoittain käymään läpi uudet asiakkaat ja sopii vastuista.",
        f"Toiminnan kirjaamiseen käytetään hyvinvointialueen yhteistä asiakastietojärjestelmää.",
    ], 6))
    resources = rng.choice([
        f"Malli vaatii kaksi työntekijää, tilan {ine} sekä videoyhteyden. Kustannukset katetaan nykyisestä budjetista.",
        f"Toteutukseen tarvitaan sosiaaliohjaaja, sairaanhoitaja ja noin kymmenen tuntia koordinaatiota viikossa.",
        f"Resursseina ovat moniammatillinen tiimi, koulutus toimintamallin käyttöön ja yhteiset tilat järjestöjen kanssa.",
    ])
    phase = PHASES[n % 3]
    evaluation = {
        "developing": f"Mallia pilotoidaan {where}, ja arviointi tehdään asiakaspalautteen sekä odotusaikojen seurannan avulla.",
        "ready": f"Malli on otettu käyttöön {where}. Asiakaspalautteen mukaan {c_nom} kokevat saavansa apua aiempaa nopeammin.",
        "evaluated": f"Arvioinnissa {rng.randint(60, 400)} asiakkaan aineistossa odotusaika lyheni keskimäärin {rng.randint(20, 60)} prosenttia ja asiakastyytyväisyys oli {rng.randint(40, 49)/10} asteikolla 1–5. Arvioinnin toteutti {rng.choice(['ulkopuolinen arvioija', 'hankkeen arviointitiimi', 'yliopiston tutkimusryhmä'])}.",
    }[phase]
    return dict(summary=summary, goals=goals, how_it_works=how, resources=resources, evaluation=evaluation, phase=phase, organisations=[org, ngo], contact_organisation=org)

def sv_practice(head, th, region, proj, n):
    t = SV[th]; org, where = REGION_SV.get(region, REGION_SV["national"])
    acts = rng.sample(t["acts"], 3)
    ngo = rng.choice(NGOS_SV)
    summary = rng.choice([
        f"{head} är en verksamhetsmodell där {t['clients']} {acts[0]}. Modellen har utvecklats {where} tillsammans med klienter och föreningar.",
        f"I modellen {acts[0].split(' ')[0]} {t['clients']} {' '.join(acts[0].split(' ')[1:])}. {head} samlar {t['service']} och samarbetspartnerna {where}.",
    ])
    goals = f"Målet är att {t['clients']} {acts[1]}. Samtidigt vill man förbättra tillgången till social- och hälsovårdens tjänster på svenska."
    how = " ".join(rng.sample([
        "Klienten kommer till modellen via rådgivningen, hälsostationen eller en anställd inom välfärdsområdet.",
        "Vid det första mötet kartläggs situationen och målen görs upp tillsammans.",
        f"{t['clients'].capitalize()} {acts[2]}.",
        "Arbetet görs i par så att både socialvårdens och hälsovårdens kunnande finns med vid samma besök.",
        "Träffarna ordnas både på plats och som distansmottagning enligt klientens önskemål.",
        f"Samarbetet med {ngo} ger kamratstöd och frivilliga.",
        "Teamet träffas varje vecka för att gå igenom nya klienter och fördela ansvaret.",
    ], 5))
    phase = PHASES[n % 3]
    evaluation = {
        "developing": f"Modellen pilotas {where} och utvärderas med klientrespons och uppföljning av väntetiderna.",
        "ready": f"Modellen har tagits i bruk {where}. Enligt klientresponsen får klienterna hjälp snabbare än tidigare.",
        "evaluated": f"I utvärderingen med {rng.randint(40, 200)} klienter förkortades väntetiden med i genomsnitt {rng.randint(20, 50)} procent och klientnöjdheten var {rng.randint(40, 49)/10} på skalan 1–5.",
    }[phase]
    return dict(summary=summary, goals=goals, how_it_works=how, resources="Modellen kräver två anställda, en lokal och videoutrustning. Kostnaderna täcks av den nuvarande budgeten.", evaluation=evaluation, phase=phase, organisations=[org, ngo], contact_organisation=org)

EN_HEADS = ["Remote specialist consultation for health centres", "Hospital at home care pathway", "Shared triage for specialised care"]
def en_practice(head, th, region, proj, n):
    phase = PHASES[n % 3]
    return dict(
        summary=f"{head} is an operating model in which patients get specialist assessment closer to home. It was developed nationally with wellbeing services counties.",
        goals="The goal is to shorten waiting times for specialised care and to make primary and specialised care work as one pathway.",
        how_it_works="A general practitioner sends a structured consultation request. A specialist answers within two working days, by message or in a joint video consultation with the patient. When needed, the patient is booked directly to the hospital clinic. The team reviews the requests weekly and updates shared care instructions.",
        resources="One specialist half a day a week per specialty, a coordinating nurse and the shared patient record system.",
        evaluation={"developing": "The model is being piloted and will be evaluated with waiting-time data.", "ready": "The model is in use in three wellbeing services counties.", "evaluated": f"In the evaluation, referrals fell by {rng.randint(20, 40)} per cent and patients rated the service 4.5 out of 5."}[phase],
        phase=phase, organisations=["Terveyden ja hyvinvoinnin laitos", "Hoivatiimi Oy"], contact_organisation="Terveyden ja hyvinvoinnin laitos")

practices = []
seen = set()
n = 0
for p in plan["projects"]:
    lang = p["language"]
    th = p["themes"][0]
    heads = FI[th]["heads"] if lang == "fi" else SV[th]["heads"] if lang == "sv" else EN_HEADS
    for k in range(p["practice_slots"]):
        head = heads[(n + k) % len(heads)]
        region = p["regions"][0]
        where_word = {"fi": REGION_FI, "sv": REGION_SV, "en": REGION_FI}[lang].get(region, REGION_FI["national"])[1]
        title = f"{head} {where_word}" if region != "national" or lang != "en" else head
        pid = slug(title)
        while pid in seen:
            pid = slug(f"{title} {k + 2}")
            title = f"{title} ({k + 2})" if not title.endswith(")") else title
        seen.add(pid)
        body = {"fi": fi_practice, "sv": sv_practice, "en": en_practice}[lang](head, th, region, p, n + k)
        created = date_in(max(p["start"], 2019), min(p["end"], 2026))
        themes = sorted(set([th] + ([p["themes"][1]] if len(p["themes"]) > 1 and k == 1 else [])))
        group = FI[th]["group"]
        doc = dict(kind="practice", id=pid, title=title, summary=body["summary"], language=lang, themes=themes,
                   target_groups=[group], regions=[region], organisations=body["organisations"], created_at=created,
                   updated_at=later(created), url=f"https://innokyla.example/{lang}/toimintamalli/{pid}",
                   goals=body["goals"], how_it_works=body["how_it_works"], resources=body["resources"],
                   evaluation=body["evaluation"], phase=body["phase"], contact_organisation=body["contact_organisation"], projects=[p["id"]])
        practices.append(doc)
    n += 3
FUNDER_SV = {"STM": "SHM", "STEA": "STEA"}
projects = []
for p in plan["projects"]:
    lang, th, region = p["language"], p["themes"][0], p["regions"][0]
    mine = [x["id"] for x in practices if x["projects"] == [p["id"]]]
    start = date_in(p["start"], p["start"]); end = date_in(p["end"], p["end"])
    created = later(start, 200)
    if lang == "fi":
        org, where = REGION_FI[region]; t = FI[th]
        title = f"{rng.choice(['Yhdessä', 'Arjen tuki', 'Lähellä', 'Sujuvat polut', 'Voimaa', 'Askel'])} – {t['service'][1]} kehittämishanke {where}"
        summary = f"Hanke kehittää {t['service'][3]} {where} vastaamaan {t['clients'][1]} tarpeisiin. Hankkeessa on mukana hyvinvointialue, kunnat ja järjestöt."
        goals = f"Hankkeen tavoitteena on parantaa {t['services_pl'][1]} saatavuutta ja vaikuttavuutta sekä vahvistaa asiakasosallisuutta. Lisäksi tavoitteena on juurruttaa toimivat mallit pysyväksi osaksi sosiaali- ja terveyspalveluja."
        results = f"Hankkeessa syntyi {len(mine)} toimintamallia, jotka on kuvattu Innokylään. Kehittämistyöhön osallistui yli {rng.randint(50, 300)} asiakasta ja ammattilaista."
    elif lang == "sv":
        org, where = REGION_SV.get(region, REGION_SV["national"]); t = SV[th]
        title = f"{rng.choice(['Tillsammans', 'Nära', 'Smidiga vägar', 'Kraft i vardagen'])} – utvecklingsprojekt för {t['service']} {where}"
        summary = f"Projektet utvecklar {t['service']} {where} så att tjänsterna motsvarar behoven hos {t['clients']}. Med i projektet finns välfärdsområdet, kommunerna och föreningarna."
        goals = "Projektets mål är att förbättra tillgången till tjänster på svenska och att stärka klientdelaktigheten i social- och hälsovården."
        results = f"Projektet tog fram {len(mine)} verksamhetsmodeller som har beskrivits i Innobyn."
    else:
        org, where = "Terveyden ja hyvinvoinnin laitos", "nationally"
        title = "Seamless specialised care – a national development project"
        summary = "The project develops cooperation between primary care and specialised care so that patients are assessed closer to home."
        goals = "The goal is shorter waiting times and one care pathway across primary and specialised care."
        results = f"The project produced {len(mine)} practices that are now in use in several wellbeing services counties."
    funder = FUNDER_SV.get(p["funder"], p["funder"]) if lang == "sv" else p["funder"]
    doc = dict(kind="project", id=p["id"], title=title, summary=summary, language=lang, themes=p["themes"],
               target_groups=[FI[th]["group"]], regions=p["regions"], organisations=[org, rng.choice(NGOS_SV if lang == "sv" else NGOS_FI)],
               created_at=created, updated_at=later(created), url=f"https://innokyla.example/{lang}/hanke/{p['id']}",
               goals=goals, results=results, funder=funder, start_date=start, end_date=end, status=p["status"],
               practices=mine, networks=p["networks"])
    if p["programme"]:
        doc["programme"] = p["programme"]
    projects.append(doc)
networks = []
for w in plan["networks"]:
    lang, th, region = w["language"], w["themes"][0], w["regions"][0]
    member_practices = [x["id"] for x in practices if x["projects"][0] in w["projects"] and th in x["themes"]][:8]
    created = date_in(2020, 2025)
    if lang == "fi":
        org, where = REGION_FI[region]; t = FI[th]
        title = f"{t['service'][1].capitalize()} kehittäjäverkosto" + ("" if region == "national" else f" {where}")
        summary = f"Verkosto kokoaa {t['service'][1]} kehittäjät {where} jakamaan hyviä käytäntöjä."
        description = f"Verkosto tapaa kuukausittain etäyhteydellä ja kahdesti vuodessa kasvokkain. Jäsenet esittelevät kehittämiään toimintamalleja, arvioivat niitä yhdessä ja sopivat, miten hyvät käytännöt levitetään muille alueille. Mukana ovat hyvinvointialueiden, järjestöjen ja oppilaitosten asiantuntijat sekä kokemusasiantuntijat, jotka tuovat {t['clients'][1]} näkökulman keskusteluun."
    elif lang == "sv":
        org, where = REGION_SV.get(region, REGION_SV["national"]); t = SV[th]
        title = f"Nätverket för {t['service']}" + ("" if region == "national" else f" {where}")
        summary = f"Nätverket samlar utvecklarna av {t['service']} {where} för att dela god praxis."
        description = "Nätverket träffas varje månad på distans och två gånger om året på plats. Medlemmarna presenterar verksamhetsmodeller, utvärderar dem tillsammans och kommer överens om hur god praxis sprids till andra områden. Med finns sakkunniga från välfärdsområden, föreningar och läroanstalter samt erfarenhetsexperter."
    else:
        org, where = "Terveyden ja hyvinvoinnin laitos", "nationally"
        title = "Digital services network"
        summary = "A national network for developers of digital social and health services."
        description = "The network meets online every month. Members present their digital services, share evaluation results and agree on common accessibility and data standards, so that good practices spread between wellbeing services counties."
    networks.append(dict(kind="network", id=w["id"], title=title, summary=summary, language=lang, themes=w["themes"],
        target_groups=["professionals"], regions=w["regions"], organisations=[org, rng.choice(NGOS_SV if lang == "sv" else NGOS_FI), "Suomen Kuntaliitto"],
        created_at=created, updated_at=later(created), url=f"https://innokyla.example/{lang}/verkosto/{w['id']}",
        description=description, projects=w["projects"], practices=member_practices))
# Language versions written by hand (translations.json): each copies its original's
# structure, and the two name each other in `translations`.
by_id = {d["id"]: d for d in practices}
for orig_id, t in json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "translations.json"))).items():
    orig = by_id[orig_id]
    doc = dict(orig, **t, language="sv", url=f"https://innokyla.example/sv/toimintamalli/{t['id']}", translations=[orig_id])
    orig["translations"] = [t["id"]]
    practices.append(doc)
    for project in projects:
        if project["id"] in doc["projects"]:
            project["practices"].append(doc["id"])
# Reverse links: a practice named by a network lists... practices link only to projects, so
# nothing to add there; projects list their networks from the plan, networks list projects.
for name, docs in [("practices", practices), ("projects", projects), ("networks", networks)]:
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", f"{name}.ndjson"), "w") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
print(len(practices), len(projects), len(networks))
