//! Controlled vocabularies: languages, regions, themes and target groups.
//!
//! Each term has a stable wire id (what documents and URLs carry) and labels in Finnish,
//! Swedish and English (what people read). Facets and filters speak in ids only.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A language Innohaku analyses and shows its interface in.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Finnish (suomi).
    Fi,
    /// Swedish (svenska).
    Sv,
    /// English.
    En,
}

impl Language {
    /// Every language, Finnish first: the order in which fields and labels are listed.
    pub const ALL: [Language; 3] = [Language::Fi, Language::Sv, Language::En];

    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Language::Fi => "fi",
            Language::Sv => "sv",
            Language::En => "en",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Language {
    type Err = UnknownTerm;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Language::ALL
            .into_iter()
            .find(|l| l.code() == s)
            .ok_or_else(|| UnknownTerm::new("language", s, "fi, sv, en"))
    }
}

/// A value that is not in a controlled vocabulary.
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown {vocabulary} `{value}`, expected one of: {expected}")]
pub struct UnknownTerm {
    /// Which vocabulary was asked.
    pub vocabulary: &'static str,
    /// The value given.
    pub value: String,
    /// The accepted values, comma-separated.
    pub expected: String,
}

impl UnknownTerm {
    fn new(vocabulary: &'static str, value: &str, expected: impl Into<String>) -> Self {
        UnknownTerm {
            vocabulary,
            value: value.chars().take(64).collect(),
            expected: expected.into(),
        }
    }
}

/// Labels of a vocabulary term in the interface languages.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Labels {
    /// Finnish label.
    pub fi: &'static str,
    /// Swedish label.
    pub sv: &'static str,
    /// English label.
    pub en: &'static str,
}

impl Labels {
    /// The label in one language.
    pub fn get(&self, lang: Language) -> &'static str {
        match lang {
            Language::Fi => self.fi,
            Language::Sv => self.sv,
            Language::En => self.en,
        }
    }
}

/// Declares a controlled vocabulary: an enum whose variants carry a wire id and labels.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $variant:ident = $id:literal, $fi:literal, $sv:literal, $en:literal $(, aliases = [$($alias:literal),*])?; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema, utoipa::ToSchema)]
        pub enum $name {
            $( #[doc = $en] #[serde(rename = $id)] $variant, )*
        }

        impl $name {
            /// Every term, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stable id used on the wire, in facets and filters.
            pub fn id(self) -> &'static str {
                match self { $($name::$variant => $id,)* }
            }

            /// Human labels in Finnish, Swedish and English.
            pub fn labels(self) -> Labels {
                match self { $($name::$variant => Labels { fi: $fi, sv: $sv, en: $en },)* }
            }

            /// Other names people use for the term (brand names, abbreviations).
            pub fn aliases(self) -> &'static [&'static str] {
                match self { $($name::$variant => &[$($($alias),*)?],)* }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.id())
            }
        }

        impl FromStr for $name {
            type Err = UnknownTerm;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL.iter().copied().find(|t| t.id() == s).ok_or_else(|| {
                    let ids: Vec<&str> = $name::ALL.iter().map(|t| t.id()).collect();
                    UnknownTerm::new($what, s, ids.join(", "))
                })
            }
        }
    };
}

vocabulary! {
    /// Where a document applies: Finland's 21 wellbeing services counties, the City of
    /// Helsinki (which organises its own services), or the whole country.
    Region, "region" {
        ItaUusimaa = "ita-uusimaa", "Itä-Uudenmaan hyvinvointialue", "Östra Nylands välfärdsområde", "Eastern Uusimaa wellbeing services county";
        KeskiUusimaa = "keski-uusimaa", "Keski-Uudenmaan hyvinvointialue", "Mellersta Nylands välfärdsområde", "Central Uusimaa wellbeing services county", aliases = ["keusote"];
        LansiUusimaa = "lansi-uusimaa", "Länsi-Uudenmaan hyvinvointialue", "Västra Nylands välfärdsområde", "Western Uusimaa wellbeing services county";
        VantaaKerava = "vantaa-kerava", "Vantaan ja Keravan hyvinvointialue", "Vanda och Kervo välfärdsområde", "Vantaa and Kerava wellbeing services county";
        VarsinaisSuomi = "varsinais-suomi", "Varsinais-Suomen hyvinvointialue", "Egentliga Finlands välfärdsområde", "Southwest Finland wellbeing services county", aliases = ["varha"];
        Satakunta = "satakunta", "Satakunnan hyvinvointialue", "Satakunta välfärdsområde", "Satakunta wellbeing services county";
        KantaHame = "kanta-hame", "Kanta-Hämeen hyvinvointialue", "Egentliga Tavastlands välfärdsområde", "Kanta-Häme wellbeing services county", aliases = ["omasote"];
        Pirkanmaa = "pirkanmaa", "Pirkanmaan hyvinvointialue", "Birkalands välfärdsområde", "Pirkanmaa wellbeing services county", aliases = ["pirha"];
        PaijatHame = "paijat-hame", "Päijät-Hämeen hyvinvointialue", "Päijänne-Tavastlands välfärdsområde", "Päijät-Häme wellbeing services county";
        Kymenlaakso = "kymenlaakso", "Kymenlaakson hyvinvointialue", "Kymmenedalens välfärdsområde", "Kymenlaakso wellbeing services county", aliases = ["kymenhva"];
        EtelaKarjala = "etela-karjala", "Etelä-Karjalan hyvinvointialue", "Södra Karelens välfärdsområde", "South Karelia wellbeing services county", aliases = ["eksote"];
        EtelaSavo = "etela-savo", "Etelä-Savon hyvinvointialue", "Södra Savolax välfärdsområde", "South Savo wellbeing services county", aliases = ["eloisa"];
        PohjoisSavo = "pohjois-savo", "Pohjois-Savon hyvinvointialue", "Norra Savolax välfärdsområde", "North Savo wellbeing services county";
        PohjoisKarjala = "pohjois-karjala", "Pohjois-Karjalan hyvinvointialue", "Norra Karelens välfärdsområde", "North Karelia wellbeing services county", aliases = ["siun sote"];
        KeskiSuomi = "keski-suomi", "Keski-Suomen hyvinvointialue", "Mellersta Finlands välfärdsområde", "Central Finland wellbeing services county", aliases = ["hyvaks"];
        EtelaPohjanmaa = "etela-pohjanmaa", "Etelä-Pohjanmaan hyvinvointialue", "Södra Österbottens välfärdsområde", "South Ostrobothnia wellbeing services county";
        Pohjanmaa = "pohjanmaa", "Pohjanmaan hyvinvointialue", "Österbottens välfärdsområde", "Ostrobothnia wellbeing services county";
        KeskiPohjanmaa = "keski-pohjanmaa", "Keski-Pohjanmaan hyvinvointialue", "Mellersta Österbottens välfärdsområde", "Central Ostrobothnia wellbeing services county", aliases = ["soite"];
        PohjoisPohjanmaa = "pohjois-pohjanmaa", "Pohjois-Pohjanmaan hyvinvointialue", "Norra Österbottens välfärdsområde", "North Ostrobothnia wellbeing services county", aliases = ["pohde"];
        Kainuu = "kainuu", "Kainuun hyvinvointialue", "Kajanalands välfärdsområde", "Kainuu wellbeing services county";
        Lappi = "lappi", "Lapin hyvinvointialue", "Lapplands välfärdsområde", "Lapland wellbeing services county";
        Helsinki = "helsinki", "Helsingin kaupunki", "Helsingfors stad", "City of Helsinki";
        National = "national", "Valtakunnallinen", "Nationell", "National";
    }
}

vocabulary! {
    /// What a document is about.
    Theme, "theme" {
        MentalHealthSubstance = "mental_health_substance", "Mielenterveys- ja päihdepalvelut", "Mentalvårds- och missbrukartjänster", "Mental health and substance abuse services";
        ChildWelfare = "child_welfare", "Lastensuojelu", "Barnskydd", "Child welfare";
        FamilyCentres = "family_centres", "Perhekeskukset", "Familjecentraler", "Family centres";
        OlderPeopleHomeCare = "older_people_home_care", "Ikääntyneiden kotihoito ja palvelut", "Hemvård och tjänster för äldre", "Home care and services for older people";
        DisabilityServices = "disability_services", "Vammaispalvelut", "Handikappservice", "Disability services";
        SocialWork = "social_work", "Sosiaalityö", "Socialt arbete", "Social work";
        PrimaryCare = "primary_care", "Perusterveydenhuolto", "Primärvård", "Primary care";
        HealthPromotion = "health_promotion", "Terveyden ja hyvinvoinnin edistäminen", "Hälso- och välfärdsfrämjande", "Health and wellbeing promotion";
        DigitalServices = "digital_services", "Digitaaliset palvelut", "Digitala tjänster", "Digital services";
        EmploymentServices = "employment_services", "Työllisyyspalvelut", "Sysselsättningstjänster", "Employment services";
        CoDevelopment = "co_development", "Yhteiskehittäminen ja asiakasosallisuus", "Samutveckling och klientdelaktighet", "Co-development and client participation";
        CarersSupport = "carers_support", "Omaishoidon tuki", "Stöd för närståendevård", "Carers' support";
        Rehabilitation = "rehabilitation", "Kuntoutus", "Rehabilitering", "Rehabilitation";
        SpecialisedCare = "specialised_care", "Erikoissairaanhoito", "Specialiserad sjukvård", "Specialised medical care";
    }
}

vocabulary! {
    /// Whom a document's service or work is for.
    TargetGroup, "target group" {
        Children = "children", "Lapset", "Barn", "Children";
        YoungPeople = "young_people", "Nuoret", "Unga", "Young people";
        Families = "families", "Lapsiperheet", "Barnfamiljer", "Families with children";
        WorkingAge = "working_age", "Työikäiset", "Personer i arbetsför ålder", "Working-age people";
        OlderPeople = "older_people", "Ikääntyneet", "Äldre", "Older people";
        PeopleWithDisabilities = "people_with_disabilities", "Vammaiset henkilöt", "Personer med funktionsnedsättning", "People with disabilities";
        Carers = "carers", "Omaishoitajat", "Närståendevårdare", "Carers";
        Immigrants = "immigrants", "Maahanmuuttajat", "Invandrare", "Immigrants";
        Unemployed = "unemployed", "Työttömät", "Arbetslösa", "Unemployed people";
        SubstanceUsers = "substance_users", "Päihteitä käyttävät", "Personer som använder rusmedel", "People who use substances";
        MentalHealthClients = "mental_health_clients", "Mielenterveyskuntoutujat", "Mentalvårdsklienter", "Mental health service users";
        Professionals = "professionals", "Ammattilaiset", "Yrkesverksamma", "Professionals";
    }
}

vocabulary! {
    /// How far a practice has come.
    Phase, "phase" {
        Developing = "developing", "Kehitteillä", "Under utveckling", "In development";
        Ready = "ready", "Valmis", "Färdig", "Ready";
        Evaluated = "evaluated", "Arvioitu", "Utvärderad", "Evaluated";
    }
}

vocabulary! {
    /// Where a project is in its life.
    ProjectStatus, "project status" {
        Planned = "planned", "Suunnitteilla", "Planerat", "Planned";
        Running = "running", "Käynnissä", "Pågående", "Running";
        Ended = "ended", "Päättynyt", "Avslutat", "Ended";
    }
}

vocabulary! {
    /// The three kinds of document.
    Kind, "kind" {
        Practice = "practice", "Toimintamalli", "Verksamhetsmodell", "Practice";
        Project = "project", "Hanke", "Projekt", "Project";
        Network = "network", "Verkosto", "Nätverk", "Network";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_cover_every_county_helsinki_and_national() {
        assert_eq!(Region::ALL.len(), 23);
        assert_eq!("pirkanmaa".parse::<Region>().unwrap(), Region::Pirkanmaa);
        assert_eq!(Region::Pohjanmaa.labels().sv, "Österbottens välfärdsområde");
    }

    #[test]
    fn unknown_terms_list_what_is_accepted() {
        let err = "mars".parse::<Region>().unwrap_err().to_string();
        assert!(
            err.starts_with("unknown region `mars`, expected one of: ita-uusimaa"),
            "{err}"
        );
    }

    #[test]
    fn wire_ids_round_trip_through_serde() {
        for theme in Theme::ALL {
            let json = serde_json::to_string(theme).unwrap();
            assert_eq!(json, format!("\"{}\"", theme.id()));
            assert_eq!(serde_json::from_str::<Theme>(&json).unwrap(), *theme);
        }
    }
}
