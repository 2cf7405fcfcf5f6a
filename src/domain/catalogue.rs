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
        TroubleMoteur => "trouble_moteur", "Trouble moteur (permanent or temporary)",
        MaladieChronique => "maladie_chronique", "Maladie chronique, trouble de santé invalidant (diabète, épilepsie…)",
        TroublePsychique => "trouble_psychique", "Trouble psychique",
        TroubleParole => "trouble_parole", "Trouble de la parole (bégaiement…)",
        Autre => "autre", "Autre (précisez)",
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
        Pauses => "pauses", "Temps compensatoire: pauses (repos, soins, contrôles biologiques)",
        DebutDecale => "debut_decale", "Début d'épreuve décalé (une heure au plus) pour la pause méridienne",
        Ordinateur => "ordinateur", "Ordinateur personnel [précisez les logiciels]",
        LogicielsSpecifiques => "logiciels_specifiques", "Logiciels utilisés pendant l'année [précisez]",
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
        DnbDispenseCartographie => "dnb_dispense_cartographie", "DNB: dispense de la tâche cartographique",
        DnbDicteeAdaptee => "dnb_dictee_adaptee", "DNB: adaptation de la dictée",
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
        Bpa => "bpa", "Brevet professionnel agricole",
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
            MeasureCode::DnbDispenseCartographie => MeasureCategory::Adaptations,
            MeasureCode::DnbDicteeAdaptee => MeasureCategory::Adaptations,
            MeasureCode::EtalementSessions => MeasureCategory::Etalement,
            MeasureCode::ConservationNotes => MeasureCategory::Etalement,
            MeasureCode::Other(_) => return None,
        })
    }

    /// Whether the measure is marked [précisez] and needs its `detail`.
    pub fn needs_detail(&self) -> bool {
        matches!(
            self,
            MeasureCode::Ordinateur | MeasureCode::LogicielsSpecifiques
        )
    }
}
