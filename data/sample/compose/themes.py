# Hand-written phrase banks per theme, Finnish and Swedish, with the inflected forms the
# templates need. (nom, gen, ine, ela, ill) for the service; (nom_pl, gen_pl, all_pl) for clients.
FI = {
 "mental_health_substance": dict(
   service=("mielenterveys- ja päihdetyö", "mielenterveys- ja päihdetyön", "mielenterveys- ja päihdetyössä", "mielenterveys- ja päihdetyöstä", "mielenterveys- ja päihdetyöhön"),
   services_pl=("mielenterveyspalvelut", "mielenterveyspalveluiden", "mielenterveyspalveluissa"),
   clients=("mielenterveyskuntoutujat", "mielenterveyskuntoutujien", "mielenterveyskuntoutujille"), group="mental_health_clients",
   heads=["Matalan kynnyksen mielenterveysvastaanotto", "Päihdetyön jalkautuva tiimi", "Mielenterveyden ensiapu työpaikoille", "Vertaistukiryhmä päihteitä käyttäville", "Nuorten mielenterveyden chat-palvelu", "Kriisityön yhteispäivystys"],
   acts=["pääsevät keskustelemaan sairaanhoitajan kanssa jo samana päivänä", "saavat tukea arjen hallintaan ja päihteiden käytön vähentämiseen", "kohdataan ilman lähetettä ja pitkää jonotusta", "ohjataan tarvittaessa perus- ja erikoissairaanhoidon palveluihin"]),
 "child_welfare": dict(
   service=("lastensuojelu", "lastensuojelun", "lastensuojelussa", "lastensuojelusta", "lastensuojeluun"),
   services_pl=("lastensuojelun palvelut", "lastensuojelun palveluiden", "lastensuojelun palveluissa"),
   clients=("lapset ja nuoret", "lasten ja nuorten", "lapsille ja nuorille"), group="children",
   heads=["Lastensuojelun perhetyön intensiivijakso", "Sijaisperheiden vertaisverkosto", "Lapsen ääni -haastattelumalli", "Lastensuojeluilmoitusten yhteiskäsittely", "Jälkihuollon tukihenkilötoiminta"],
   acts=["saavat oman työntekijän, joka tapaa heitä säännöllisesti", "kuullaan jokaisessa lastensuojelun päätöksessä", "tuetaan kotona ennen kuin sijoitusta tarvitaan", "pääsevät mukaan suunnittelemaan omaa asiakassuunnitelmaansa"]),
 "family_centres": dict(
   service=("perhekeskus", "perhekeskuksen", "perhekeskuksessa", "perhekeskuksesta", "perhekeskukseen"),
   services_pl=("perhekeskuspalvelut", "perhekeskuspalveluiden", "perhekeskuspalveluissa"),
   clients=("lapsiperheet", "lapsiperheiden", "lapsiperheille"), group="families",
   heads=["Perhekeskuksen avoin kohtaamispaikka", "Vauvaperheiden kotikäynnit", "Vanhemmuuden tuen ryhmämalli", "Perhekeskuksen sähköinen ajanvaraus", "Eroperheiden neuvontapiste"],
   acts=["saavat neuvolan, perhetyön ja kasvatus- ja perheneuvonnan tuen samasta paikasta", "voivat tulla perhekeskukseen ilman ajanvarausta", "tapaavat muita vanhempia ohjatuissa ryhmissä", "ohjataan oikean ammattilaisen luo yhdellä yhteydenotolla"]),
 "older_people_home_care": dict(
   service=("kotihoito", "kotihoidon", "kotihoidossa", "kotihoidosta", "kotihoitoon"),
   services_pl=("vanhuspalvelut", "vanhuspalveluiden", "vanhuspalveluissa"),
   clients=("ikääntyneet", "ikääntyneiden", "ikääntyneille"), group="older_people",
   heads=["Kotihoidon etäkäynnit", "Ikääntyneiden kotikuntoutusmalli", "Kotihoidon iltavuoron tiimityö", "Vanhusten ravitsemuksen seuranta", "Ikäihmisten palveluohjauksen yhden luukun malli"],
   acts=["voivat asua kotona pidempään turvallisesti", "saavat kotihoidon käynnit sovittuun aikaan", "harjoittelevat arjen taitoja fysioterapeutin kanssa", "saavat apua lääkehoitoon ja ravitsemukseen"]),
 "disability_services": dict(
   service=("vammaispalvelu", "vammaispalvelun", "vammaispalvelussa", "vammaispalvelusta", "vammaispalveluun"),
   services_pl=("vammaispalvelut", "vammaispalveluiden", "vammaispalveluissa"),
   clients=("vammaiset henkilöt", "vammaisten henkilöiden", "vammaisille henkilöille"), group="people_with_disabilities",
   heads=["Henkilökohtaisen avun työnantajamalli", "Tuetun asumisen valmennus", "Vammaispalvelujen selkokielinen neuvonta", "Kehitysvammaisten työtoiminnan polku"],
   acts=["suunnittelevat palvelunsa yhdessä sosiaalityöntekijän kanssa", "saavat tiedon palveluista selkokielellä", "harjoittelevat itsenäistä asumista omassa tahdissaan", "pääsevät mukaan työelämään tuetusti"]),
 "social_work": dict(
   service=("sosiaalityö", "sosiaalityön", "sosiaalityössä", "sosiaalityöstä", "sosiaalityöhön"),
   services_pl=("sosiaalipalvelut", "sosiaalipalveluiden", "sosiaalipalveluissa"),
   clients=("aikuissosiaalityön asiakkaat", "aikuissosiaalityön asiakkaiden", "aikuissosiaalityön asiakkaille"), group="working_age",
   heads=["Aikuissosiaalityön jalkautuva vastaanotto", "Asunnottomuuden ehkäisyn tiimi", "Sosiaalisen kuntoutuksen ryhmät", "Talous- ja velkaneuvonnan pikakaista"],
   acts=["tavataan siellä, missä he asioivat muutenkin", "saavat apua asumisen ja toimeentulon kysymyksiin", "kiinnittyvät ryhmätoimintaan ja saavat arkeensa rytmiä", "ohjataan sosiaali- ja terveyspalveluiden välillä saumattomasti"]),
 "primary_care": dict(
   service=("perusterveydenhuolto", "perusterveydenhuollon", "perusterveydenhuollossa", "perusterveydenhuollosta", "perusterveydenhuoltoon"),
   services_pl=("terveysaseman palvelut", "terveysaseman palveluiden", "terveysaseman palveluissa"),
   clients=("pitkäaikaissairaat", "pitkäaikaissairaiden", "pitkäaikaissairaille"), group="working_age",
   heads=["Terveysaseman omatiimimalli", "Hoidon tarpeen arvion digipolku", "Pitkäaikaissairauksien hoitosuunnitelma", "Sote-keskuksen moniammatillinen vastaanotto"],
   acts=["saavat oman hoitotiimin, joka tuntee heidän tilanteensa", "pääsevät hoitoon ilman jonotusta puhelimessa", "laativat hoitosuunnitelman yhdessä lääkärin ja hoitajan kanssa", "ohjataan tarvittaessa erikoissairaanhoitoon sujuvasti"]),
 "health_promotion": dict(
   service=("terveyden edistäminen", "terveyden edistämisen", "terveyden edistämisessä", "terveyden edistämisestä", "terveyden edistämiseen"),
   services_pl=("hyvinvointipalvelut", "hyvinvointipalveluiden", "hyvinvointipalveluissa"),
   clients=("kuntalaiset", "kuntalaisten", "kuntalaisille"), group="working_age",
   heads=["Liikuntaneuvonnan polku", "Hyvinvointikertomuksen yhteinen valmistelu", "Elintapaohjauksen ryhmämalli", "Koululaisten hyvinvointikysely"],
   acts=["saavat henkilökohtaista neuvontaa liikuntaan ja ravitsemukseen", "osallistuvat hyvinvoinnin edistämisen suunnitteluun", "löytävät lähialueen harrastukset helposti", "tunnistavat oman terveytensä riskit ajoissa"]),
 "digital_services": dict(
   service=("etävastaanotto", "etävastaanoton", "etävastaanotossa", "etävastaanotosta", "etävastaanottoon"),
   services_pl=("digitaaliset palvelut", "digitaalisten palveluiden", "digitaalisissa palveluissa"),
   clients=("asiakkaat", "asiakkaiden", "asiakkaille"), group="working_age",
   heads=["Chat-neuvonnan yhteinen malli", "Videovastaanoton käyttöönotto", "Digitukihenkilöiden verkosto", "Sähköinen omahoitopalvelu"],
   acts=["asioivat kotoa käsin videoyhteydellä", "saavat vastauksen kysymyksiinsä chatissa arkisin", "oppivat käyttämään digitaalisia palveluita digitukihenkilön avulla", "seuraavat omia mittaustuloksiaan sähköisessä palvelussa"]),
 "employment_services": dict(
   service=("työllisyyspalvelu", "työllisyyspalvelun", "työllisyyspalvelussa", "työllisyyspalvelusta", "työllisyyspalveluun"),
   services_pl=("työllisyyspalvelut", "työllisyyspalveluiden", "työllisyyspalveluissa"),
   clients=("työttömät", "työttömien", "työttömille"), group="unemployed",
   heads=["Työkykykoordinaattorin palvelu", "Monialainen yhteispalvelu työllisyyteen", "Työkokeilun tuettu polku", "Nuorten työpajatoiminta"],
   acts=["pääsevät töihin tai koulutukseen tuetusti", "saavat työkyvyn arvion ja kuntoutuksen samasta paikasta", "kokeilevat työtä turvallisesti valmentajan tuella", "löytävät omat vahvuutensa yhdessä ohjaajan kanssa"]),
 "co_development": dict(
   service=("asiakasosallisuus", "asiakasosallisuuden", "asiakasosallisuudessa", "asiakasosallisuudesta", "asiakasosallisuuteen"),
   services_pl=("yhteiskehittämisen menetelmät", "yhteiskehittämisen menetelmien", "yhteiskehittämisen menetelmissä"),
   clients=("kokemusasiantuntijat", "kokemusasiantuntijoiden", "kokemusasiantuntijoille"), group="professionals",
   heads=["Asiakasraatien toimintamalli", "Kokemusasiantuntijoiden koulutus", "Yhteiskehittämisen työpajasarja", "Palautteen hyödyntämisen malli"],
   acts=["osallistuvat palveluiden suunnitteluun alusta alkaen", "arvioivat palveluita yhdessä ammattilaisten kanssa", "tuovat oman kokemuksensa kehittämistyöhön", "saavat palautteen siitä, miten heidän ehdotuksiaan on käytetty"]),
 "carers_support": dict(
   service=("omaishoito", "omaishoidon", "omaishoidossa", "omaishoidosta", "omaishoitoon"),
   services_pl=("omaishoidon tukipalvelut", "omaishoidon tukipalveluiden", "omaishoidon tukipalveluissa"),
   clients=("omaishoitajat", "omaishoitajien", "omaishoitajille"), group="carers",
   heads=["Omaishoitajien valmennus", "Omaishoidon vapaiden sijaishoito kotiin", "Omaishoitajien vertaisryhmät", "Omaishoitajan hyvinvointitarkastus"],
   acts=["saavat lakisääteiset vapaapäivänsä järjestettyä joustavasti", "jakavat kokemuksia vertaisryhmässä", "saavat tietoa omaishoidon tuesta ja palveluista", "huolehtivat myös omasta jaksamisestaan"]),
 "rehabilitation": dict(
   service=("kuntoutus", "kuntoutuksen", "kuntoutuksessa", "kuntoutuksesta", "kuntoutukseen"),
   services_pl=("kuntoutuspalvelut", "kuntoutuspalveluiden", "kuntoutuspalveluissa"),
   clients=("kuntoutujat", "kuntoutujien", "kuntoutujille"), group="working_age",
   heads=["Etäkuntoutuksen ryhmät", "Aivoinfarktin jälkeinen kotikuntoutus", "Kuntoutusohjauksen palveluketju", "Tuki- ja liikuntaelinten ryhmäkuntoutus"],
   acts=["harjoittelevat kotona fysioterapeutin ohjeiden mukaan", "saavat kuntoutussuunnitelman heti sairaalasta kotiutuessaan", "pääsevät ryhmäkuntoutukseen lähellä kotiaan", "seuraavat edistymistään yhdessä terapeutin kanssa"]),
 "specialised_care": dict(
   service=("erikoissairaanhoito", "erikoissairaanhoidon", "erikoissairaanhoidossa", "erikoissairaanhoidosta", "erikoissairaanhoitoon"),
   services_pl=("sairaalapalvelut", "sairaalapalveluiden", "sairaalapalveluissa"),
   clients=("potilaat", "potilaiden", "potilaille"), group="working_age",
   heads=["Konsultaatiomalli perusterveydenhuoltoon", "Kotisairaalan palveluketju", "Päivystyksen hoitajavastaanotto", "Hoitoon pääsyn seurannan malli"],
   acts=["saavat erikoislääkärin arvion ilman erillistä käyntiä", "hoidetaan kotisairaalassa sairaalajakson sijaan", "ohjataan oikeaan hoitopaikkaan heti päivystyksessä", "pääsevät hoitoon hoitotakuun aikarajoissa"]),
}
SV = {
 "mental_health_substance": dict(service="mentalvårds- och missbrukartjänsterna", clients="klienterna inom mentalvården", heads=["Lågtröskelmottagning för psykisk hälsa", "Uppsökande missbruksteam", "Kamratstöd för unga"], acts=["får samtala med en sjukskötare samma dag", "får stöd för att minska sitt missbruk", "möts utan remiss och lång väntan"]),
 "child_welfare": dict(service="barnskyddet", clients="barn och unga", heads=["Barnskyddets intensiva familjearbete", "Stödpersoner inom eftervården", "Barnets röst i barnskyddet"], acts=["får en egen arbetare som träffar dem regelbundet", "hörs i alla beslut som gäller dem", "stöds hemma innan placering behövs"]),
 "family_centres": dict(service="familjecentralen", clients="barnfamiljerna", heads=["Familjecentralens öppna mötesplats", "Hembesök till familjer med bebisar", "Föräldragrupper på svenska"], acts=["får stöd av rådgivningen och familjearbetet på samma ställe", "kan komma till familjecentralen utan tidsbokning", "träffar andra föräldrar i ledda grupper"]),
 "older_people_home_care": dict(service="hemvården", clients="de äldre", heads=["Distansbesök inom hemvården", "Hemrehabilitering för äldre", "Äldreomsorgens servicehandledning"], acts=["kan bo hemma tryggt längre", "får hemvårdens besök vid en överenskommen tid", "tränar vardagens färdigheter med en fysioterapeut"]),
 "disability_services": dict(service="handikappservicen", clients="personer med funktionsnedsättning", heads=["Personlig assistans med arbetsgivarstöd", "Stödboende med träning", "Lättläst rådgivning om handikappservice"], acts=["planerar sin service tillsammans med socialarbetaren", "får information om tjänsterna på lättläst svenska", "tränar eget boende i sin egen takt"]),
 "social_work": dict(service="det sociala arbetet", clients="klienterna inom vuxensocialt arbete", heads=["Uppsökande vuxensocialt arbete", "Förebyggande av bostadslöshet", "Ekonomisk rådgivning snabbt"], acts=["möts där de annars uträttar sina ärenden", "får hjälp med boende och försörjning", "slussas smidigt mellan social- och hälsovården"]),
 "primary_care": dict(service="primärvården", clients="patienterna", heads=["Egen vårdteam på hälsostationen", "Digital bedömning av vårdbehov", "Mångprofessionell mottagning på social- och hälsocentralen"], acts=["får ett eget vårdteam som känner deras situation", "får vård utan att köa i telefon", "gör upp en vårdplan tillsammans med läkaren och skötaren"]),
 "health_promotion": dict(service="hälsofrämjandet", clients="invånarna", heads=["Motionsrådgivning i närområdet", "Levnadsvanegrupper", "Välfärdsberättelsen tillsammans"], acts=["får personlig rådgivning om motion och kost", "deltar i planeringen av välfärdsfrämjandet", "hittar fritidsaktiviteter nära hemmet"]),
 "digital_services": dict(service="distansmottagningen", clients="klienterna", heads=["Gemensam chattrådgivning", "Videomottagning på svenska", "Digistödpersoner i byarna"], acts=["uträttar sina ärenden hemifrån via videolänk", "får svar på sina frågor i chatten på vardagar", "lär sig använda digitala tjänster med hjälp av en digistödperson"]),
 "employment_services": dict(service="sysselsättningstjänsterna", clients="de arbetslösa", heads=["Arbetsförmågekoordinator", "Sektorsövergripande servicepunkt för sysselsättning", "Arbetsprövning med stöd"], acts=["kommer i arbete eller utbildning med stöd", "får bedömning av arbetsförmågan och rehabilitering på ett ställe", "prövar på arbete tryggt med en coach"]),
 "co_development": dict(service="klientdelaktigheten", clients="erfarenhetsexperterna", heads=["Klientråd i välfärdsområdet", "Utbildning av erfarenhetsexperter", "Workshoppar för samutveckling"], acts=["deltar i planeringen av tjänsterna från början", "utvärderar tjänsterna tillsammans med de anställda", "för in sin egen erfarenhet i utvecklingsarbetet"]),
 "carers_support": dict(service="närståendevården", clients="närståendevårdarna", heads=["Coachning för närståendevårdare", "Avlösning i hemmet", "Kamratgrupper för närståendevårdare"], acts=["får sina lediga dagar ordnade flexibelt", "delar erfarenheter i en kamratgrupp", "får information om stödet för närståendevård"]),
 "rehabilitation": dict(service="rehabiliteringen", clients="rehabiliteringsklienterna", heads=["Distansrehabilitering i grupp", "Hemrehabilitering efter stroke", "Servicekedja för rehabiliteringshandledning"], acts=["tränar hemma enligt fysioterapeutens anvisningar", "får en rehabiliteringsplan när de skrivs ut från sjukhuset", "kommer till grupprehabilitering nära hemmet"]),
 "specialised_care": dict(service="den specialiserade sjukvården", clients="patienterna", heads=["Konsultationsmodell för primärvården", "Servicekedja för hemsjukhuset", "Skötarmottagning på jouren"], acts=["får specialistläkarens bedömning utan ett separat besök", "vårdas på hemsjukhuset i stället för på avdelningen", "vårdas inom vårdgarantins tidsgränser"]),
}
