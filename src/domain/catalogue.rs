//! The catalogue: troubles, measures, diplomas and document categories,
//! with their French labels (docs/domain.md), and which measure applies to
//! which diploma.

use crate::open_code_enum;
open_code_enum! {
    /// A trouble declared in section #5.
    TroubleCode {
        DyslexieDysorthographie => "dyslexie_dysorthographie", "Dyslexie, dysorthographie",
        Dyscalculie => "dyscalculie", "Dyscalculie",
        Dyspraxie => "dyspraxie", "Dyspraxie, trouble du développement de la coordination",
        Dysphasie => "dysphasie", "Dysphasie, trouble du langage oral",
        Tdah => "tdah", "Trouble déficit de l'attention avec ou sans hyperactivité",
        Tsa => "tsa", "Trouble du spectre de l'autisme",
        DeficienceVisuelle => "deficience_visuelle", "Déficience visuelle",
        DeficienceAuditive => "deficience_auditive", "Déficience auditive",
        TroubleMoteur => "trouble_moteur", "Trouble moteur (permanent ou temporaire)",
        MaladieChronique => "maladie_chronique", "Maladie chronique, trouble de santé invalidant (diabète, épilepsie…)",
        TroublePsychique => "trouble_psychique", "Trouble psychique",
        TroubleParole => "trouble_parole", "Trouble de la parole (bégaiement…)",
        Autre => "autre", "Autre trouble",
    }
}
open_code_enum! {
    /// A measure (aménagement) of the catalogue.
    MeasureCode {
        LocauxAccessibles => "locaux_accessibles", "Accessibilité des locaux (plan incliné, ascenseur, toilettes, infirmerie proche)",
        InstallationMaterielle => "installation_materielle", "Installation matérielle adaptée dans la salle (espace, éclairage)",
        SalleParticuliere => "salle_particuliere", "Salle particulière / à effectif réduit",
        ChienGuide => "chien_guide", "Chien-guide d'aveugle ou d'assistance",
        TempsMajoreSixieme => "temps_majore_sixieme", "Temps majoré d'un sixième",
        TempsMajoreTiers => "temps_majore_tiers", "Temps majoré d'un tiers",
        TempsMajoreExceptionnel => "temps_majore_exceptionnel", "Majoration au-delà du tiers (exceptionnelle, motivée)",
        TempsMajorePreparationOral => "temps_majore_preparation_oral", "Temps majoré pour la préparation des épreuves orales",
        Pauses => "pauses", "Temps compensatoire : pauses (repos, soins, contrôles biologiques)",
        DebutDecale => "debut_decale", "Début d'épreuve décalé (une heure au plus) pour la pause méridienne",
        Ordinateur => "ordinateur", "Ordinateur personnel (logiciels précisés)",
        LogicielsSpecifiques => "logiciels_specifiques", "Logiciels utilisés pendant l'année (précisés)",
        Calculatrice => "calculatrice", "Calculatrice simple non programmable",
        Braille => "braille", "Sujet en braille (intégral ou abrégé)",
        SujetAgrandiA3 => "sujet_agrandi_a3", "Sujet agrandi au format A3",
        SujetPolice16 => "sujet_police_16", "Sujet en caractères de 16 points",
        SujetPolice20 => "sujet_police_20", "Sujet en caractères de 20 points",
        SujetNumerique => "sujet_numerique", "Sujet numérique (clé USB, PDF)",
        AmplificationSonore => "amplification_sonore", "Appareil d'amplification sonore",
        SecretaireLecteur => "secretaire_lecteur", "Secrétaire lecteur",
        SecretaireScripteur => "secretaire_scripteur", "Secrétaire scripteur",
        AssistantReformulation => "assistant_reformulation", "Assistant (reformulation des consignes, mission définie)",
        AideInstallation => "aide_installation", "Aide à l'installation du candidat et de son matériel",
        AccompagnementDeplacements => "accompagnement_deplacements", "Accompagnement dans les déplacements",
        LectureLabiale => "lecture_labiale", "Consignes lues face au candidat pour la lecture labiale",
        InterpreteLsf => "interprete_lsf", "Interprète en langue des signes française",
        CodeurLpc => "codeur_lpc", "Codeur en langage parlé complété",
        OrdinateurCentre => "ordinateur_centre", "Ordinateur fourni par le centre d'examen",
        SujetContraste => "sujet_contraste", "Sujet contrasté ou allégé",
        EnseignantSpecialise => "enseignant_specialise", "Enseignant spécialisé (troubles des fonctions auditives)",
        ProfessionnelSante => "professionnel_sante", "Présence d'un professionnel de santé (PAI)",
        ConsignesEcrites => "consignes_ecrites", "Consignes orales remises par écrit",
        CommunicationEcriteOral => "communication_ecrite_oral", "Communication par écrit aux épreuves orales",
        QuatriemeEcoute => "quatrieme_ecoute", "Quatrième écoute (compréhension orale en langue vivante)",
        AdaptationLv => "adaptation_lv", "Adaptation de l'épreuve de langue vivante",
        DispenseLvOral => "dispense_lv_oral", "Dispense de la partie orale de langue vivante",
        DispenseLvEcrit => "dispense_lv_ecrit", "Dispense de la partie écrite de langue vivante",
        DispenseLv2 => "dispense_lv2", "Dispense de l'épreuve de langue vivante 2",
        DispenseLv => "dispense_lv", "Dispense de l'épreuve de langue vivante (CAP agricole)",
        DnbDispenseCartographie => "dnb_dispense_cartographie", "DNB : dispense de la tâche cartographique",
        DnbDicteeAdaptee => "dnb_dictee_adaptee", "DNB : adaptation de la dictée",
        EtalementSessions => "etalement_sessions", "Étalement des épreuves sur plusieurs sessions",
        ConservationNotes => "conservation_notes", "Conservation des notes pendant cinq ans",
    }
}
open_code_enum! {
    /// A diploma.
    DiplomaCode {
        Dnb => "dnb", "Diplôme national du brevet",
        Cfg => "cfg", "Certificat de formation générale",
        BacGeneral => "bac_general", "Baccalauréat général",
        BacTechno => "bac_techno", "Baccalauréat technologique",
        BacPro => "bac_pro", "Baccalauréat professionnel",
        Cap => "cap", "CAP",
        Bep => "bep", "BEP",
        Bp => "bp", "Brevet professionnel",
        Bma => "bma", "Brevet des métiers d'art",
        Mc => "mc", "Mention complémentaire",
        Bts => "bts", "BTS",
        Dcg => "dcg", "DCG",
        Dscg => "dscg", "DSCG",
        Capa => "capa", "CAP agricole",
        Bepa => "bepa", "BEP agricole",
        Bpa => "bpa", "Brevet professionnel agricole (BPA)",
        BpAgricole => "bp_agricole", "Brevet professionnel (enseignement agricole)",
        BacTechnoStav => "bac_techno_stav", "Baccalauréat technologique STAV",
        BacProAgricole => "bac_pro_agricole", "Baccalauréat professionnel agricole",
        Btsa => "btsa", "BTS agricole",
        Cs => "cs", "Certificat de spécialisation agricole",
    }
}
open_code_enum! {
    /// The category of a supporting document.
    DocumentCategory {
        BilanOrthophonique => "bilan_orthophonique", "Bilan orthophonique (étalonné)",
        BilanNeuropsychologique => "bilan_neuropsychologique", "Bilan neuropsychologique",
        BilanPsychometrique => "bilan_psychometrique", "Bilan psychométrique",
        BilanErgotherapie => "bilan_ergotherapie", "Bilan d'ergothérapie",
        BilanPsychomoteur => "bilan_psychomoteur", "Bilan psychomoteur",
        CertificatMedical => "certificat_medical", "Certificat médical",
        CompteRenduSpecialiste => "compte_rendu_specialiste", "Compte rendu de spécialiste",
        FicheRenseignementsMedicaux => "fiche_renseignements_medicaux", "Fiche de renseignements médicaux",
        Pap => "pap", "PAP",
        Pps => "pps", "PPS",
        Pai => "pai", "PAI",
        NotificationAesh => "notification_aesh", "Notification AESH",
        NotificationMdph => "notification_mdph", "Notification MDPH",
        DecisionAnterieure => "decision_anterieure", "Décision antérieure",
        FichePedagogique => "fiche_pedagogique", "Fiche pédagogique",
        BulletinsScolaires => "bulletins_scolaires", "Bulletins scolaires",
        CopieDevoir => "copie_devoir", "Copie de devoir",
        PointEvolution => "point_evolution", "Point d'évolution (de moins d'un an)",
        Autre => "autre", "Autre",
    }
}

/// The families of measures, as the request form groups them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MeasureCategory {
    Locaux,
    Temps,
    AidesTechniques,
    AidesHumaines,
    AutresAides,
    Adaptations,
    Etalement,
}

impl MeasureCategory {
    /// The French label.
    pub fn label(self) -> &'static str {
        match self {
            MeasureCategory::Locaux => "Locaux",
            MeasureCategory::Temps => "Temps",
            MeasureCategory::AidesTechniques => "Aides techniques",
            MeasureCategory::AidesHumaines => "Aides humaines",
            MeasureCategory::AutresAides => "Autres aides",
            MeasureCategory::Adaptations => "Adaptations",
            MeasureCategory::Etalement => "Étalement",
        }
    }
}

impl MeasureCode {
    /// The family the measure belongs to (`None` for an unknown code).
    pub fn category(&self) -> Option<MeasureCategory> {
        Some(match self {
            MeasureCode::LocauxAccessibles => MeasureCategory::Locaux,
            MeasureCode::InstallationMaterielle => MeasureCategory::Locaux,
            MeasureCode::SalleParticuliere => MeasureCategory::Locaux,
            MeasureCode::ChienGuide => MeasureCategory::Locaux,
            MeasureCode::TempsMajoreSixieme => MeasureCategory::Temps,
            MeasureCode::TempsMajoreTiers => MeasureCategory::Temps,
            MeasureCode::TempsMajoreExceptionnel => MeasureCategory::Temps,
            MeasureCode::TempsMajorePreparationOral => MeasureCategory::Temps,
            MeasureCode::Pauses => MeasureCategory::Temps,
            MeasureCode::DebutDecale => MeasureCategory::Temps,
            MeasureCode::Ordinateur => MeasureCategory::AidesTechniques,
            MeasureCode::LogicielsSpecifiques => MeasureCategory::AidesTechniques,
            MeasureCode::Calculatrice => MeasureCategory::AidesTechniques,
            MeasureCode::Braille => MeasureCategory::AidesTechniques,
            MeasureCode::SujetAgrandiA3 => MeasureCategory::AidesTechniques,
            MeasureCode::SujetPolice16 => MeasureCategory::AidesTechniques,
            MeasureCode::SujetPolice20 => MeasureCategory::AidesTechniques,
            MeasureCode::SujetNumerique => MeasureCategory::AidesTechniques,
            MeasureCode::AmplificationSonore => MeasureCategory::AidesTechniques,
            MeasureCode::SecretaireLecteur => MeasureCategory::AidesHumaines,
            MeasureCode::SecretaireScripteur => MeasureCategory::AidesHumaines,
            MeasureCode::AssistantReformulation => MeasureCategory::AidesHumaines,
            MeasureCode::AideInstallation => MeasureCategory::AidesHumaines,
            MeasureCode::AccompagnementDeplacements => MeasureCategory::AidesHumaines,
            MeasureCode::LectureLabiale => MeasureCategory::AidesHumaines,
            MeasureCode::InterpreteLsf => MeasureCategory::AidesHumaines,
            MeasureCode::CodeurLpc => MeasureCategory::AidesHumaines,
            MeasureCode::OrdinateurCentre => MeasureCategory::AidesTechniques,
            MeasureCode::SujetContraste => MeasureCategory::AidesTechniques,
            MeasureCode::EnseignantSpecialise => MeasureCategory::AidesHumaines,
            MeasureCode::ProfessionnelSante => MeasureCategory::AidesHumaines,
            MeasureCode::ConsignesEcrites => MeasureCategory::AutresAides,
            MeasureCode::CommunicationEcriteOral => MeasureCategory::AutresAides,
            MeasureCode::QuatriemeEcoute => MeasureCategory::AutresAides,
            MeasureCode::AdaptationLv => MeasureCategory::Adaptations,
            MeasureCode::DispenseLvOral => MeasureCategory::Adaptations,
            MeasureCode::DispenseLvEcrit => MeasureCategory::Adaptations,
            MeasureCode::DispenseLv2 => MeasureCategory::Adaptations,
            MeasureCode::DispenseLv => MeasureCategory::Adaptations,
            MeasureCode::DnbDispenseCartographie => MeasureCategory::Adaptations,
            MeasureCode::DnbDicteeAdaptee => MeasureCategory::Adaptations,
            MeasureCode::EtalementSessions => MeasureCategory::Etalement,
            MeasureCode::ConservationNotes => MeasureCategory::Etalement,
            MeasureCode::Other(_) => return None,
        })
    }

    /// Whether the measure is marked \[précisez\] and needs its `detail`.
    pub fn needs_detail(&self) -> bool {
        matches!(
            self,
            MeasureCode::Ordinateur | MeasureCode::LogicielsSpecifiques
        )
    }
}

/// The families of diplomas, which decide deadlines and some measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DiplomaFamily {
    /// DNB and CFG (collège).
    College,
    /// Baccalauréat général or technologique (Éducation nationale).
    BacGeneralTechno,
    /// Baccalauréat professionnel (Éducation nationale).
    BacPro,
    /// Other vocational exams of the Éducation nationale (CAP, BEP, BP, BMA, MC).
    Professional,
    /// Higher education: BTS, DCG, DSCG.
    Higher,
    /// Agricultural exams (ministère de l'agriculture, seed 004).
    Agricultural,
}

impl DiplomaFamily {
    /// The French label.
    pub fn label(self) -> &'static str {
        match self {
            DiplomaFamily::College => "Brevet et CFG",
            DiplomaFamily::BacGeneralTechno => "Baccalauréat général et technologique",
            DiplomaFamily::BacPro => "Baccalauréat professionnel",
            DiplomaFamily::Professional => "Autres examens professionnels",
            DiplomaFamily::Higher => "Enseignement supérieur (BTS, DCG, DSCG)",
            DiplomaFamily::Agricultural => "Examens de l'enseignement agricole",
        }
    }
}

impl DiplomaCode {
    /// The family of the diploma (`None` for an unknown code).
    pub fn family(&self) -> Option<DiplomaFamily> {
        use DiplomaCode as D;
        Some(match self {
            D::Dnb | D::Cfg => DiplomaFamily::College,
            D::BacGeneral | D::BacTechno => DiplomaFamily::BacGeneralTechno,
            D::BacPro => DiplomaFamily::BacPro,
            D::Cap | D::Bep | D::Bp | D::Bma | D::Mc => DiplomaFamily::Professional,
            D::Bts | D::Dcg | D::Dscg => DiplomaFamily::Higher,
            D::Capa
            | D::Bepa
            | D::Bpa
            | D::BpAgricole
            | D::BacTechnoStav
            | D::BacProAgricole
            | D::Btsa
            | D::Cs => DiplomaFamily::Agricultural,
            D::Other(_) => return None,
        })
    }

    /// Whether it is one of the baccalauréats (including the agricultural ones).
    pub fn is_bac(&self) -> bool {
        use DiplomaCode as D;
        matches!(
            self,
            D::BacGeneral | D::BacTechno | D::BacPro | D::BacTechnoStav | D::BacProAgricole
        )
    }

    /// Whether it is a vocational exam (CAP, BEP, BP, BMA, MC, bac pro and
    /// their agricultural counterparts, CS).
    pub fn is_vocational(&self) -> bool {
        use DiplomaCode as D;
        matches!(
            self,
            D::BacPro
                | D::Cap
                | D::Bep
                | D::Bp
                | D::Bma
                | D::Mc
                | D::Capa
                | D::Bepa
                | D::Bpa
                | D::BpAgricole
                | D::BacProAgricole
                | D::Cs
        )
    }

    /// Whether it is a higher-education diploma (BTS, BTSA, DCG, DSCG).
    pub fn is_higher(&self) -> bool {
        use DiplomaCode as D;
        matches!(self, D::Bts | D::Btsa | D::Dcg | D::Dscg)
    }

    /// Whether the diploma has modern-language exams. An unknown diploma is
    /// assumed to have some (the checks then warn rather than stay silent).
    pub fn has_modern_language_exam(&self) -> bool {
        use DiplomaCode as D;
        match self {
            D::BacGeneral
            | D::BacTechno
            | D::BacPro
            | D::Cap
            | D::Bep
            | D::Bp
            | D::Bma
            | D::Bts
            | D::Dcg
            | D::Capa
            | D::Bepa
            | D::BacTechnoStav
            | D::BacProAgricole
            | D::Btsa => true,
            D::Dnb | D::Cfg | D::Mc | D::Dscg | D::Bpa | D::BpAgricole | D::Cs => false,
            D::Other(_) => true,
        }
    }
}

impl MeasureCode {
    /// Whether the measure is provided for by the regulation of `diploma`
    /// (seed 000: "seules les mesures autorisées par la réglementation du
    /// diplôme seront proposées").
    ///
    /// Measures common to every exam (seed 003 part II, seed 004 4.3) apply
    /// everywhere. The exam-specific ones:
    /// - `dnb_*`: DNB only;
    /// - `quatrieme_ecoute`: baccalauréats général and technologique
    ///   (including STAV, seed 004 4.3.6 f);
    /// - `adaptation_lv`: diplomas with modern-language exams, except the
    ///   CAPa (seed 004 lists a dispense there, not an adaptation);
    /// - `dispense_lv_oral`, `dispense_lv_ecrit`: the baccalauréats général,
    ///   technologique (STAV included, seed 004) and professionnel of the
    ///   Éducation nationale (arrêté du 15 février 2012); not the bac pro
    ///   agricole (seed 004: adaptation of LV1 only);
    /// - `dispense_lv`: the CAPa (whole LV exam, arrêté du 21 avril 2016);
    /// - `dispense_lv2`: baccalauréats général, technologique (STAV) and
    ///   professionnel of the Éducation nationale.
    ///
    /// An unknown diploma or an unknown measure gives `true`: the rectorat's
    /// catalogue may be newer than ours.
    pub fn applies_to(&self, diploma: &DiplomaCode) -> bool {
        use DiplomaCode as D;
        if !diploma.is_known() {
            return true;
        }
        match self {
            MeasureCode::DnbDispenseCartographie | MeasureCode::DnbDicteeAdaptee => {
                *diploma == D::Dnb
            }
            MeasureCode::QuatriemeEcoute => {
                matches!(diploma, D::BacGeneral | D::BacTechno | D::BacTechnoStav)
            }
            MeasureCode::AdaptationLv => diploma.has_modern_language_exam() && *diploma != D::Capa,
            MeasureCode::DispenseLvOral
            | MeasureCode::DispenseLvEcrit
            | MeasureCode::DispenseLv2 => diploma.is_bac() && *diploma != D::BacProAgricole,
            MeasureCode::DispenseLv => *diploma == D::Capa,
            _ => true,
        }
    }

    /// Whether the measure is a human aid (aides humaines).
    pub fn is_human_aid(&self) -> bool {
        self.category() == Some(MeasureCategory::AidesHumaines)
    }

    /// Whether the measure is extra time (temps majoré, any amount).
    pub fn is_extra_time(&self) -> bool {
        matches!(
            self,
            MeasureCode::TempsMajoreSixieme
                | MeasureCode::TempsMajoreTiers
                | MeasureCode::TempsMajoreExceptionnel
                | MeasureCode::TempsMajorePreparationOral
        )
    }
}

impl TroubleCode {
    /// The *troubles des apprentissages*: dyslexie/dysorthographie,
    /// dyscalculie, dyspraxie, dysphasie.
    pub fn is_learning_disorder(&self) -> bool {
        matches!(
            self,
            TroubleCode::DyslexieDysorthographie
                | TroubleCode::Dyscalculie
                | TroubleCode::Dyspraxie
                | TroubleCode::Dysphasie
        )
    }

    /// Whether a bilan orthophonique étalonné is expected (language and
    /// calculation: dyslexie/dysorthographie, dysphasie, dyscalculie).
    pub fn expects_bilan_orthophonique(&self) -> bool {
        matches!(
            self,
            TroubleCode::DyslexieDysorthographie
                | TroubleCode::Dysphasie
                | TroubleCode::Dyscalculie
        )
    }

    /// The bilans that document the trouble for the `bilan_orthophonique`
    /// check (empty when none is required).
    pub fn expected_bilans(&self) -> &'static [DocumentCategory] {
        const ORTHO: &[DocumentCategory] = &[DocumentCategory::BilanOrthophonique];
        const DYSPRAXIE: &[DocumentCategory] = &[
            DocumentCategory::BilanErgotherapie,
            DocumentCategory::BilanPsychomoteur,
            DocumentCategory::BilanNeuropsychologique,
        ];
        match self {
            TroubleCode::Dyspraxie => DYSPRAXIE,
            t if t.expects_bilan_orthophonique() => ORTHO,
            _ => &[],
        }
    }
}

impl DocumentCategory {
    /// Whether it is a bilan (orthophonique, neuropsychologique,
    /// psychométrique, ergothérapie, psychomoteur).
    pub fn is_bilan(&self) -> bool {
        matches!(
            self,
            DocumentCategory::BilanOrthophonique
                | DocumentCategory::BilanNeuropsychologique
                | DocumentCategory::BilanPsychometrique
                | DocumentCategory::BilanErgotherapie
                | DocumentCategory::BilanPsychomoteur
        )
    }

    /// Whether it is a medical document (bilans, points d'évolution,
    /// certificats médicaux, comptes rendus de spécialiste, fiche de
    /// renseignements médicaux): the pièces under medical secrecy.
    pub fn is_medical(&self) -> bool {
        self.is_bilan()
            || matches!(
                self,
                DocumentCategory::PointEvolution
                    | DocumentCategory::CertificatMedical
                    | DocumentCategory::CompteRenduSpecialiste
                    | DocumentCategory::FicheRenseignementsMedicaux
            )
    }

    /// Whether it is a school support plan or notification (PAP, PPS, PAI,
    /// notification AESH).
    pub fn is_school_support(&self) -> bool {
        matches!(
            self,
            DocumentCategory::Pap
                | DocumentCategory::Pps
                | DocumentCategory::Pai
                | DocumentCategory::NotificationAesh
        )
    }
}

/// Known codes of the request's free-coded fields (schooling type, class
/// level) and their French labels.
const CODE_LABELS: &[(&str, &str)] = &[
    (
        "public_ou_prive_sous_contrat",
        "Public ou privé sous contrat",
    ),
    ("prive_hors_contrat", "Privé hors contrat"),
    ("hors_contrat", "Hors contrat"),
    ("cned", "CNED"),
    ("cned_scolaire", "CNED scolaire"),
    ("candidat_individuel", "Candidat individuel"),
    ("individuel", "Candidat individuel"),
    ("apprentissage", "Apprentissage"),
    ("formation_continue", "Formation continue"),
    ("troisieme", "Troisième"),
    ("seconde_professionnelle", "Seconde professionnelle"),
    ("premiere_generale", "Première générale"),
    ("premiere_technologique", "Première technologique"),
    ("premiere_professionnelle", "Première professionnelle"),
    ("terminale_generale", "Terminale générale"),
    ("terminale_technologique", "Terminale technologique"),
    ("terminale_professionnelle", "Terminale professionnelle"),
    ("cap_1re_annee", "CAP, 1re année"),
    ("cap_2e_annee", "CAP, 2e année"),
    ("bts_1re_annee", "BTS, 1re année"),
    ("bts_2e_annee", "BTS, 2e année"),
];

/// Words that lose their accents in codes, restored for display.
const ACCENTED_WORDS: &[(&str, &str)] = &[
    ("generale", "générale"),
    ("general", "général"),
    ("prive", "privé"),
    ("privee", "privée"),
    ("premiere", "première"),
    ("deuxieme", "deuxième"),
    ("troisieme", "troisième"),
    ("annee", "année"),
    ("etudes", "études"),
    ("superieur", "supérieur"),
    ("superieure", "supérieure"),
    ("specialite", "spécialité"),
    ("eleve", "élève"),
    ("a", "à"),
];

/// A code-like value (`terminale_generale`) as a person reads it
/// ("Terminale générale"): a known code's label, else the words with their
/// accents restored and a capital; free text (with a space, or no `_`) is
/// returned as it is.
pub fn code_label(s: &str) -> String {
    if !s.contains('_') || s.contains(' ') {
        return s.to_string();
    }
    if let Some((_, label)) = CODE_LABELS.iter().find(|(c, _)| *c == s) {
        return (*label).to_string();
    }
    let words: Vec<&str> = s
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            ACCENTED_WORDS
                .iter()
                .find(|(plain, _)| *plain == w)
                .map_or(w, |(_, accented)| *accented)
        })
        .collect();
    let spaced = words.join(" ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => spaced,
    }
}

/// "de « X »" or, before a vowel or a mute h, "d'« X »" (French elision).
pub fn de_label(label: &str) -> String {
    let elides = label
        .chars()
        .next()
        .map(|c| {
            let f = crate::domain::checks::words::fold(&c.to_string());
            matches!(f.as_str(), "a" | "e" | "i" | "o" | "u" | "y" | "h")
        })
        .unwrap_or(false);
    if elides {
        format!("d'« {label} »")
    } else {
        format!("de « {label} »")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dnb_measures_only_for_dnb() {
        assert!(MeasureCode::DnbDicteeAdaptee.applies_to(&DiplomaCode::Dnb));
        assert!(MeasureCode::DnbDispenseCartographie.applies_to(&DiplomaCode::Dnb));
        assert!(!MeasureCode::DnbDicteeAdaptee.applies_to(&DiplomaCode::BacGeneral));
        assert!(!MeasureCode::DnbDispenseCartographie.applies_to(&DiplomaCode::Cap));
    }

    #[test]
    fn language_measures_need_language_exams() {
        assert!(MeasureCode::AdaptationLv.applies_to(&DiplomaCode::BacPro));
        assert!(MeasureCode::AdaptationLv.applies_to(&DiplomaCode::Btsa));
        assert!(!MeasureCode::AdaptationLv.applies_to(&DiplomaCode::Dnb));
        assert!(MeasureCode::DispenseLvOral.applies_to(&DiplomaCode::BacTechnoStav));
        assert!(!MeasureCode::DispenseLvEcrit.applies_to(&DiplomaCode::Capa));
        assert!(MeasureCode::DispenseLv.applies_to(&DiplomaCode::Capa));
        assert!(!MeasureCode::DispenseLvOral.applies_to(&DiplomaCode::Bts));
        assert!(MeasureCode::DispenseLv2.applies_to(&DiplomaCode::BacGeneral));
        assert!(!MeasureCode::DispenseLv2.applies_to(&DiplomaCode::Capa));
        assert!(!MeasureCode::DispenseLv2.applies_to(&DiplomaCode::BacProAgricole));
        assert!(MeasureCode::QuatriemeEcoute.applies_to(&DiplomaCode::BacTechnoStav));
        assert!(!MeasureCode::QuatriemeEcoute.applies_to(&DiplomaCode::Cap));
    }

    #[test]
    fn common_measures_apply_everywhere_and_unknowns_are_true() {
        for d in DiplomaCode::KNOWN {
            assert!(MeasureCode::TempsMajoreTiers.applies_to(d));
            assert!(MeasureCode::EtalementSessions.applies_to(d));
        }
        let unknown = DiplomaCode::from_code("diplome_futur");
        assert!(MeasureCode::DnbDicteeAdaptee.applies_to(&unknown));
        assert!(MeasureCode::from_code("mesure_future").applies_to(&DiplomaCode::Dnb));
    }

    #[test]
    fn every_known_diploma_has_a_family() {
        for d in DiplomaCode::KNOWN {
            assert!(d.family().is_some(), "{d}");
        }
        assert_eq!(
            DiplomaCode::Btsa.family(),
            Some(DiplomaFamily::Agricultural)
        );
        assert_eq!(DiplomaCode::Dcg.family(), Some(DiplomaFamily::Higher));
        assert_eq!(DiplomaCode::from_code("x").family(), None);
        assert!(DiplomaCode::Btsa.is_higher());
        assert!(DiplomaCode::BacProAgricole.is_bac());
        assert!(!DiplomaCode::Dnb.has_modern_language_exam());
    }

    #[test]
    fn trouble_and_document_helpers() {
        let learning: Vec<_> = TroubleCode::KNOWN
            .iter()
            .filter(|t| t.is_learning_disorder())
            .collect();
        assert_eq!(learning.len(), 4);
        assert!(!TroubleCode::Tdah.is_learning_disorder());
        assert!(TroubleCode::Dyspraxie.expected_bilans().len() == 3);
        assert!(!TroubleCode::Dyspraxie.expects_bilan_orthophonique());
        assert!(TroubleCode::Tsa.expected_bilans().is_empty());
        assert!(DocumentCategory::FicheRenseignementsMedicaux.is_medical());
        assert!(DocumentCategory::CompteRenduSpecialiste.is_medical());
        assert!(DocumentCategory::BilanPsychomoteur.is_medical());
        assert!(!DocumentCategory::Pap.is_medical());
        assert!(!DocumentCategory::FichePedagogique.is_medical());
        assert!(DocumentCategory::Pai.is_school_support());
    }

    #[test]
    fn labels_are_french() {
        for t in TroubleCode::KNOWN {
            assert!(!t.label().contains(" or "), "{}", t.label());
        }
        let all: Vec<&str> = TroubleCode::KNOWN
            .iter()
            .map(|t| t.label())
            .chain(MeasureCode::KNOWN.iter().map(|m| m.label()))
            .chain(DiplomaCode::KNOWN.iter().map(|d| d.label()))
            .chain(DocumentCategory::KNOWN.iter().map(|c| c.label()))
            .collect();
        for l in all {
            assert!(!l.contains('['), "literal [précisez] in {l}");
            assert!(!l.to_lowercase().contains("précisez"), "{l}");
            assert!(!l.contains(" or ") && !l.contains("temporary"), "{l}");
            // French typography: a space before ":".
            for (i, _) in l.match_indices(':') {
                assert!(l[..i].ends_with(' '), "no space before « : » in {l}");
            }
        }
        assert_eq!(code_label("terminale_generale"), "Terminale générale");
        assert_eq!(
            code_label("public_ou_prive_sous_contrat"),
            "Public ou privé sous contrat"
        );
        assert_eq!(code_label("premiere_annee_etudes"), "Première année études");
        assert_eq!(code_label("Spécialités : SES"), "Spécialités : SES");
        assert_eq!(de_label("Ordinateur"), "d'« Ordinateur »");
        assert_eq!(de_label("Épreuve"), "d'« Épreuve »");
        assert_eq!(de_label("Secrétaire lecteur"), "de « Secrétaire lecteur »");
    }
}
