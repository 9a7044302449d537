import json, os, random
random.seed(11)
regions = ["ita-uusimaa","keski-uusimaa","lansi-uusimaa","vantaa-kerava","varsinais-suomi","satakunta","kanta-hame","pirkanmaa","paijat-hame","kymenlaakso","etela-karjala","etela-savo","pohjois-savo","pohjois-karjala","keski-suomi","etela-pohjanmaa","pohjanmaa","keski-pohjanmaa","pohjois-pohjanmaa","kainuu","lappi","helsinki","national"]
themes = ["mental_health_substance","child_welfare","family_centres","older_people_home_care","disability_services","social_work","primary_care","health_promotion","digital_services","employment_services","co_development","carers_support","rehabilitation","specialised_care"]
funders = [("STM","Tulevaisuuden sosiaali- ja terveyskeskus"),("STM / EU:n elpymisväline (RRF)","Kestävän kasvun ohjelma"),("STEA","STEA:n avustusohjelma"),("Euroopan sosiaalirahasto plus (ESR+)","Uudistuva ja osaava Suomi 2021–2027"),("Business Finland","Digitalisaation kehittämisohjelma"),("Hyvinvointialueen oma rahoitus","")]
projects=[]
# fi: 2 per non-swedish region + extras; sv: 10; en: 1
sv_regions = ["pohjanmaa","pohjanmaa","lansi-uusimaa","ita-uusimaa","varsinais-suomi","keski-pohjanmaa","helsinki","national","national","vantaa-kerava"]
fi_regions = [r for r in regions for _ in range(2)]
fi_regions = fi_regions[:45]
t=0
def mk(lang, region, n):
    global t
    th=[themes[t%len(themes)]]
    if random.random()<0.5: th.append(themes[(t+5)%len(themes)])
    t+=1
    f=random.choice(funders)
    start=random.choice([2019,2020,2021,2022,2023,2024,2025])
    end=start+random.choice([1,2,3])
    status="ended" if end<2026 else ("running" if start<=2026 else "planned")
    return dict(id=f"P{n:02d}", language=lang, regions=[region], themes=th, funder=f[0], programme=f[1], start=start, end=end, status=status)
n=1
for r in fi_regions: projects.append(mk("fi",r,n)); n+=1
for r in sv_regions: projects.append(mk("sv",r,n)); n+=1
projects.append(mk("en","national",n)); n+=1
# two practices planned per project = 3 each
for p in projects:
    p["practice_slots"]=3
networks=[]
k=1
for th in themes:
    networks.append(dict(id=f"N{k:02d}", language="fi", regions=["national"], themes=[th])); k+=1
regional=[("fi","pirkanmaa","family_centres"),("fi","pohjois-pohjanmaa","older_people_home_care"),("fi","keski-suomi","mental_health_substance"),("fi","lappi","digital_services"),("fi","varsinais-suomi","child_welfare"),("fi","pohjois-karjala","employment_services"),("fi","kainuu","carers_support"),("fi","etela-savo","primary_care"),("fi","helsinki","co_development"),("fi","satakunta","disability_services"),("fi","kymenlaakso","social_work"),("fi","etela-pohjanmaa","health_promotion"),
 ("sv","pohjanmaa","family_centres"),("sv","lansi-uusimaa","older_people_home_care"),("sv","national","mental_health_substance"),("sv","varsinais-suomi","co_development"),("sv","keski-pohjanmaa","carers_support"),("en","national","digital_services")]
for lang,r,th in regional:
    networks.append(dict(id=f"N{k:02d}", language=lang, regions=[r], themes=[th])); k+=1
for nw in networks:
    th=nw["themes"][0]; r=nw["regions"][0]
    cand=[p for p in projects if th in p["themes"] and (r=="national" or r in p["regions"] or p["regions"]==["national"])]
    if len(cand)<2: cand += [p for p in projects if th in p["themes"] and p not in cand][:2]
    nw["projects"]=[p["id"] for p in cand[:6]]
for p in projects:
    p["networks"]=[nw["id"] for nw in networks if p["id"] in nw["projects"]]
json.dump(dict(projects=projects,networks=networks),open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "plan.json"),"w"),indent=1,ensure_ascii=False)
from collections import Counter
print(len(projects),len(networks),Counter(p["language"] for p in projects),Counter(x for p in projects for x in p["themes"]))
print([ (nw["id"],len(nw["projects"])) for nw in networks])
fiw={"mental_health_substance":"mielenterveys-paihde","child_welfare":"lastensuojelu","family_centres":"perhekeskus","older_people_home_care":"kotihoito","disability_services":"vammaispalvelu","social_work":"sosiaalityo","primary_care":"perusterveydenhuolto","health_promotion":"hyvinvointi","digital_services":"digipalvelu","employment_services":"tyollisyys","co_development":"osallisuus","carers_support":"omaishoito","rehabilitation":"kuntoutus","specialised_care":"erikoissairaanhoito"}
svw={"mental_health_substance":"mentalvard-missbruk","child_welfare":"barnskydd","family_centres":"familjecentral","older_people_home_care":"hemvard","disability_services":"handikappservice","social_work":"socialt-arbete","primary_care":"primarvard","health_promotion":"halsoframjande","digital_services":"digitala-tjanster","employment_services":"sysselsattning","co_development":"delaktighet","carers_support":"narstaendevard","rehabilitation":"rehabilitering","specialised_care":"specialiserad-sjukvard"}
enw={k:k.replace("_","-") for k in fiw}
pre={"fi":"hanke","sv":"projekt","en":"project"}
npre={"fi":"verkosto","sv":"natverk","en":"network"}
ren={}
seen=set()
for p in projects:
    w={"fi":fiw,"sv":svw,"en":enw}[p["language"]][p["themes"][0]]
    s=f'{pre[p["language"]]}-{p["regions"][0]}-{w}-{p["start"]}'
    i=2
    while s in seen: s=f'{pre[p["language"]]}-{p["regions"][0]}-{w}-{p["start"]}-{i}'; i+=1
    seen.add(s); ren[p["id"]]=s; p["id"]=s
for nw in networks:
    w={"fi":fiw,"sv":svw,"en":enw}[nw["language"]][nw["themes"][0]]
    r=nw["regions"][0]
    s=f'{npre[nw["language"]]}-{w}' if r=="national" and nw["language"]=="fi" else f'{npre[nw["language"]]}-{r}-{w}'
    ren[nw["id"]]=s; nw["id"]=s
for nw in networks: nw["projects"]=[ren[x] for x in nw["projects"]]
for p in projects: p["networks"]=[ren[x] for x in p["networks"]]
json.dump(dict(projects=projects,networks=networks),open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "plan.json"),"w"),indent=1,ensure_ascii=False)
