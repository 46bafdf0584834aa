package scenario

import (
	"time"

	"github.com/trucedesk/truce/internal/domain"
)

// The parties' slugs. They are short and stable because messages, statuses
// and imports refer to them before the parties have IDs.
const (
	SlugSyria       = "sy-gov"
	SlugRussia      = "ru-af"
	SlugCoalition   = "coalition"
	SlugUS          = "us-af"
	SlugTurkey      = "tr-af"
	SlugISIL        = "isil"
	SlugNusra       = "nusra"
	SlugYPG         = "ypg"
	SlugPYD         = "pyd"
	SlugSDF         = "sdf"
	SlugFSA         = "fsa"
	SlugSouthern    = "southern-front"
	SlugSultanMurad = "sultan-murad"
	SlugAhrar       = "ahrar-sham"
	SlugJaishIslam  = "jaish-islam"
	SlugHezbollah   = "hezbollah"
	SlugIRGC        = "irgc"
	SlugNDF         = "ndf"
	SlugCivilians   = "civilians"
)

// The names and aliases were checked against the UCDP Actor Dataset v22.1
// (see data/ATTRIBUTION.md); "UCDP 118" in a comment is that list's ActorId.

func en(names ...string) []domain.Alias { return aliases("en", names...) }
func ar(names ...string) []domain.Alias { return aliases("ar", names...) }
func ru(names ...string) []domain.Alias { return aliases("ru", names...) }
func tr(names ...string) []domain.Alias { return aliases("tr", names...) }
func ku(names ...string) []domain.Alias { return aliases("ku", names...) }
func fa(names ...string) []domain.Alias { return aliases("fa", names...) }

func aliases(lang string, names ...string) []domain.Alias {
	as := make([]domain.Alias, len(names))
	for i, n := range names {
		as[i] = domain.Alias{Name: n, Lang: lang}
	}
	return as
}

func join(groups ...[]domain.Alias) []domain.Alias {
	var all []domain.Alias
	for _, g := range groups {
		all = append(all, g...)
	}
	return all
}

// parties returns the armed actors of the scenario. English aliases include
// the names ACLED, UCDP and Airwars use, so that imports resolve to these
// parties; the other aliases are the names the desk's messages would use.
func parties() []*domain.Party {
	return []*domain.Party{
		{ // UCDP 118 "Government of Syria"; ACLED "Military Forces of Syria (2000-)".
			Slug: SlugSyria, Name: "Syrian government forces", Kind: domain.KindState,
			Aliases: join(
				en("Syrian Arab Army", "SAA", "Syrian Arab Armed Forces", "Syrian Arab Air Force",
					"Government of Syria", "Military Forces of Syria (2000-)", "Syrian regime forces", "Syrian Military"),
				ar("الجيش العربي السوري", "القوات الحكومية السورية", "القوات المسلحة العربية السورية", "قوات النظام", "الجيش السوري"),
				ru("Сирийская арабская армия", "Правительственные войска Сирии", "САА"),
				tr("Suriye Arap Ordusu", "Suriye rejim güçleri", "Esad rejimi güçleri"),
			),
		},
		{ // UCDP 57 "Government of Russia (Soviet Union)"; Airwars "Russian Military".
			Slug: SlugRussia, Name: "Russian Armed Forces", Kind: domain.KindState,
			Aliases: join(
				en("Russian Aerospace Forces", "VKS", "Russian Air Force", "Russian Military", "Russian forces",
					"Government of Russia (Soviet Union)", "Military Forces of Russia (2000-)"),
				ar("القوات الروسية", "القوات الجوية الفضائية الروسية", "الطيران الروسي", "الجيش الروسي"),
				ru("Вооружённые силы Российской Федерации", "ВС РФ", "Воздушно-космические силы", "ВКС России", "ВКС"),
				tr("Rus Silahlı Kuvvetleri", "Rus savaş uçakları", "Rus Hava-Uzay Kuvvetleri"),
			),
		},
		{ // Airwars "U.S.-led Coalition"; the coalition against ISIL (Operation Inherent Resolve).
			Slug: SlugCoalition, Name: "US-led Coalition", Kind: domain.KindCoalition,
			Aliases: join(
				en("U.S.-led Coalition", "Coalition", "Global Coalition against Daesh", "International coalition",
					"Combined Joint Task Force – Operation Inherent Resolve", "CJTF-OIR", "Operation Inherent Resolve"),
				ar("التحالف الدولي", "التحالف الدولي بقيادة الولايات المتحدة", "قوات التحالف"),
				ru("Международная коалиция во главе с США", "Коалиция во главе с США", "западная коалиция"),
				tr("ABD liderliğindeki koalisyon", "Uluslararası koalisyon"),
			),
		},
		{ // UCDP 3 "Government of United States of America".
			Slug: SlugUS, Name: "United States Armed Forces", Kind: domain.KindState,
			Aliases: join(
				en("US military", "U.S. forces", "US Air Force", "Government of United States of America",
					"Military Forces of the United States"),
				ar("القوات الأمريكية", "الجيش الأمريكي", "الطيران الأمريكي"),
				ru("Вооружённые силы США", "ВВС США"),
				tr("ABD Silahlı Kuvvetleri", "ABD ordusu"),
			),
		},
		{ // UCDP 115 "Government of Turkey"; Airwars "Turkish Military".
			Slug: SlugTurkey, Name: "Turkish Armed Forces", Kind: domain.KindState,
			Aliases: join(
				en("Turkish Military", "Turkish army", "TAF", "Government of Turkey", "Military Forces of Turkey"),
				ar("القوات المسلحة التركية", "الجيش التركي", "المدفعية التركية"),
				ru("Вооружённые силы Турции", "Турецкая армия"),
				tr("Türk Silahlı Kuvvetleri", "TSK", "Türk ordusu"),
			),
		},
		{ // UCDP 234 "IS" (earlier names Jama'at al-Tawhid wa al-Jihad, ISI, ISIS).
			Slug: SlugISIL, Name: "Islamic State", Kind: domain.KindArmedGroup,
			Aliases: join(
				en("ISIL", "ISIS", "IS", "Daesh", "Da'esh", "Islamic State of Iraq and the Levant",
					"Islamic State of Iraq and Syria", "Islamic State (Syria)", "ISI", "Jama'at al-Tawhid wa al-Jihad"),
				ar("داعش", "الدولة الإسلامية", "تنظيم الدولة", "الدولة الإسلامية في العراق والشام", "تنظيم داعش"),
				ru("Исламское государство", "ИГИЛ", "ИГ", "ДАИШ"),
				tr("Irak Şam İslam Devleti", "IŞİD", "DEAŞ", "İslam Devleti"),
			),
		},
		{ // UCDP 1170 "Jabhat al-Nusra li al-Sham", renamed Jabhat Fateh al-Sham in July 2016.
			Slug: SlugNusra, Name: "Jabhat al-Nusra", Kind: domain.KindArmedGroup,
			Aliases: join(
				en("al-Nusra Front", "Nusra Front", "Jabhat al-Nusra li-Ahl al-Sham", "Jabhat al-Nusra li al-Sham",
					"The Support Front for the People of Syria", "ANF", "Jabhat Fateh al-Sham", "JFS"),
				ar("جبهة النصرة", "جبهة النصرة لأهل الشام", "النصرة", "جبهة فتح الشام"),
				ru("Джебхат ан-Нусра", "Фронт ан-Нусра", "ан-Нусра"),
				tr("El Nusra Cephesi", "Nusra Cephesi"),
			),
		},
		{ // UCDP 6288 "SDF", founded October 2015 around the YPG.
			Slug: SlugSDF, Name: "Syrian Democratic Forces", Kind: domain.KindCoalition, Sponsor: "United States",
			Aliases: join(
				en("SDF"),
				ar("قوات سوريا الديمقراطية", "قسد"),
				ru("Сирийские демократические силы", "СДС"),
				tr("Suriye Demokratik Güçleri", "SDG"),
				ku("Hêzên Sûriya Demokratîk", "HSD"),
			),
		},
		{ // UCDP codes the PYD and its armed wing as one actor (4163, allied to the SDF); the desk
			// keeps them apart because Turkey's designation names both and messages name either.
			Slug: SlugYPG, Name: "People's Protection Units", Kind: domain.KindArmedGroup,
			Aliases: join(
				en("YPG", "People's Protection Units (YPG)", "Kurdish People's Protection Units"),
				ar("وحدات حماية الشعب", "وحدات حماية الشعب الكردية"),
				ru("Отряды народной самообороны", "YPG"),
				tr("Halk Koruma Birlikleri", "YPG"),
				ku("Yekîneyên Parastina Gel"),
			),
		},
		{ // UCDP 4163 "PYD" (Partiya Yekîtiya Demokrat).
			Slug: SlugPYD, Name: "Democratic Union Party", Kind: domain.KindArmedGroup,
			Aliases: join(
				en("PYD", "Democratic Union Party (PYD)"),
				ar("حزب الاتحاد الديمقراطي"),
				ru("Партия «Демократический союз»", "ПДС"),
				tr("Demokratik Birlik Partisi", "PYD"),
				ku("Partiya Yekîtiya Demokrat"),
			),
		},
		{ // UCDP 1130 "FSA".
			Slug: SlugFSA, Name: "Free Syrian Army", Kind: domain.KindCoalition,
			Aliases: join(
				en("FSA", "Syrian armed opposition"),
				ar("الجيش السوري الحر", "الجيش الحر"),
				ru("Свободная сирийская армия", "ССА"),
				tr("Özgür Suriye Ordusu", "ÖSO"),
			),
		},
		{ // UCDP 6333 "Southern Front": FSA factions in Daraa and Quneitra.
			Slug: SlugSouthern, Name: "Southern Front", Kind: domain.KindArmedGroup,
			Aliases: join(
				en("Southern Front of the Free Syrian Army"),
				ar("الجبهة الجنوبية"),
				ru("Южный фронт"),
				tr("Güney Cephesi"),
			),
		},
		{ // UCDP 6422 "Liwa al-Sultan Murad": a Turkmen FSA faction in Aleppo governorate.
			Slug: SlugSultanMurad, Name: "Sultan Murad Division", Kind: domain.KindArmedGroup, Sponsor: "Turkey",
			Aliases: join(
				en("Liwa al-Sultan Murad", "Sultan Murad Brigade", "Firqat al-Sultan Murad"),
				ar("فرقة السلطان مراد", "لواء السلطان مراد"),
				ru("Дивизия «Султан Мурад»"),
				tr("Sultan Murat Tümeni", "Sultan Murad Tümeni"),
			),
		},
		{ // UCDP 5554 "Ahrar al-Sham".
			Slug: SlugAhrar, Name: "Ahrar al-Sham", Kind: domain.KindArmedGroup,
			Aliases: join(
				en("Harakat Ahrar al-Sham al-Islamiyya", "Islamic Movement of the Free Men of the Levant", "Ahrar ash-Sham"),
				ar("حركة أحرار الشام الإسلامية", "أحرار الشام"),
				ru("Ахрар аш-Шам"),
				tr("Ahrar'uş Şam", "Ahrar el-Şam"),
			),
		},
		{ // UCDP 6377 "Jaysh al-Islam" (formerly Liwa al-Islam).
			Slug: SlugJaishIslam, Name: "Jaysh al-Islam", Kind: domain.KindArmedGroup,
			Aliases: join(
				en("Jaish al-Islam", "Army of Islam", "Liwa al-Islam"),
				ar("جيش الإسلام", "لواء الإسلام"),
				ru("Джейш аль-Ислам", "Армия ислама"),
				tr("Ceyş el-İslam", "İslam Ordusu"),
			),
		},
		{ // UCDP 366 "Hezbollah".
			Slug: SlugHezbollah, Name: "Hezbollah", Kind: domain.KindArmedGroup, Sponsor: "Iran",
			Aliases: join(
				en("Hizbullah", "Hizballah", "Party of God", "Lebanese Hezbollah"),
				ar("حزب الله"),
				ru("Хезболла", "Хизбалла"),
				tr("Hizbullah"),
			),
		},
		{ // UCDP 114 "Government of Iran": Iran's forces in Syria were chiefly the IRGC.
			Slug: SlugIRGC, Name: "Islamic Revolutionary Guard Corps", Kind: domain.KindState,
			Aliases: join(
				en("IRGC", "Iranian forces", "Iranian Revolutionary Guards", "Quds Force", "Government of Iran"),
				ar("الحرس الثوري الإيراني", "القوات الإيرانية", "فيلق القدس"),
				ru("Корпус стражей исламской революции", "КСИР"),
				tr("İran Devrim Muhafızları", "Devrim Muhafızları"),
				fa("سپاه پاسداران انقلاب اسلامی", "سپاه پاسداران"),
			),
		},
		{ // Not a separate UCDP actor: UCDP counts pro-government militias with the government.
			Slug: SlugNDF, Name: "National Defence Forces", Kind: domain.KindMilitia,
			Aliases: join(
				en("NDF", "National Defense Forces", "Quwat al-Difa al-Watani", "pro-government militia"),
				ar("قوات الدفاع الوطني", "الدفاع الوطني", "الشبيحة"),
				ru("Силы национальной обороны"),
				tr("Ulusal Savunma Güçleri"),
			),
		},
		{ // ACLED's target category "Civilians (Syria)".
			Slug: SlugCivilians, Name: "Civilians", Kind: domain.KindCivilians,
			Aliases: join(
				en("Civilians (Syria)", "civilian population"),
				ar("مدنيون", "المدنيين", "السكان المدنيين"),
				ru("Мирные жители", "Гражданское население"),
				tr("Siviller"),
			),
		},
	}
}

// parents returns the parent of each party that belongs to another: a
// brigade's coalition, or a state's force in a coalition.
func parents() map[string]string {
	return map[string]string{
		SlugUS:          SlugCoalition,
		SlugYPG:         SlugSDF,
		SlugSouthern:    SlugFSA,
		SlugSultanMurad: SlugFSA,
		SlugNDF:         SlugSyria, // auxiliaries under the government's command
	}
}

// Guarantors, as designators of commitment rows.
const (
	GuarantorRussia = "Russia"
	GuarantorUS     = "United States"
)

const (
	jointStatement = "Joint Statement of the United States and the Russian Federation on Cessation of Hostilities in Syria, 22 February 2016"
	res2268        = "UN Security Council resolution 2268 (2016), 26 February 2016"
)

// statuses returns the parties' status rows. Dates are those reported at the
// time; where only the day (or only "by the deadline") is known, the time of
// day is a stand-in and Note says "approximate". Parties with no row, such
// as Ahrar al-Sham, Hezbollah, the IRGC and Turkey, made no commitment the
// record documents clearly; the desk leaves their standing open.
func statuses(loc *time.Location) []StatusSpec {
	statement := damascus(loc, 2016, time.February, 22, 12, 0)
	hnc := func(slug, note string) StatusSpec {
		return StatusSpec{slug, domain.PartyStatus{
			Kind: domain.StatusCommitted, Designator: GuarantorUS,
			ValidFrom: damascus(loc, 2016, time.February, 26, 12, 0),
			Source: "High Negotiations Committee statements of 24 and 26 February 2016, " +
				"accepting a two-week truce on behalf of its member factions",
			Note: "Approximate: recorded at the 12:00 deadline of 26 February, by which the HNC had confirmed " +
				"its factions' acceptance through the United States. " + note,
		}}
	}
	return []StatusSpec{
		{SlugSyria, domain.PartyStatus{
			Kind: domain.StatusCommitted, Designator: GuarantorRussia,
			ValidFrom: damascus(loc, 2016, time.February, 23, 12, 0),
			Source:    "Statement of the Syrian Ministry of Foreign Affairs, 23 February 2016 (SANA)",
			Note: "Accepted on condition that operations against ISIL, Jabhat al-Nusra and groups linked to " +
				"al-Qaeda continue, and said it would coordinate with Russia on the groups and areas covered. " +
				"Approximate: the day is documented, the time of day is not.",
		}},
		{SlugRussia, domain.PartyStatus{
			Kind: domain.StatusCommitted, Designator: GuarantorRussia, ValidFrom: statement,
			Source: jointStatement,
			Note: "As co-chair: the terms name the Russian Aerospace Forces among the forces whose attacks on " +
				"committed parties stop; operations against excluded groups continue. Time of day approximate.",
		}},
		{SlugCoalition, domain.PartyStatus{
			Kind: domain.StatusCommitted, Designator: GuarantorUS, ValidFrom: statement,
			Source: jointStatement,
			Note: "As co-chair: the coalition's operations against ISIL and other excluded groups continue. " +
				"Time of day approximate.",
		}},
		hnc(SlugFSA, "The FSA's factions were represented in the HNC."),
		hnc(SlugSouthern, "The Southern Front's factions accepted through the HNC."),
		hnc(SlugJaishIslam, "Jaysh al-Islam's Mohammed Alloush was the HNC's chief negotiator."),
		hnc(SlugSultanMurad, "Not documented for this faction by name: recorded as an FSA faction covered by the HNC's acceptance."),
		{SlugYPG, domain.PartyStatus{
			Kind:      domain.StatusCommitted,
			ValidFrom: damascus(loc, 2016, time.February, 25, 12, 0),
			Source:    "YPG spokesman Redur Xelil, statement reported by Reuters and AFP, 24–25 February 2016",
			Note: "Said the YPG would abide by the cessation while reserving the right to respond if attacked. " +
				"Approximate: reported on 24 or 25 February; the guarantor it committed through is not documented.",
		}},
		{SlugISIL, domain.PartyStatus{
			Kind: domain.StatusExcluded, Designator: ExclusionAuthority,
			ValidFrom: time.Date(2004, time.October, 18, 0, 0, 0, 0, time.UTC),
			Source:    "UN Security Council ISIL (Da'esh) and Al-Qaida sanctions list, entry for Al-Qaida in Iraq (QDe.115); " + res2268,
			Note:      "Listed since 18 October 2004 under its former name, Al-Qaida in Iraq; the terms exclude it by name.",
		}},
		{SlugNusra, domain.PartyStatus{
			Kind: domain.StatusExcluded, Designator: ExclusionAuthority,
			ValidFrom: time.Date(2014, time.May, 14, 0, 0, 0, 0, time.UTC),
			Source:    "UN Security Council ISIL (Da'esh) and Al-Qaida sanctions list, entry for Al-Nusrah Front for the People of the Levant (QDe.137); " + res2268,
			Note:      "Listed since 14 May 2014; the terms exclude it by name.",
		}},
		{SlugYPG, domain.PartyStatus{
			Kind: domain.StatusDesignated, Designator: "Turkey", ValidFrom: statement,
			Source: "Statements of the Turkish government, February 2016, holding the PYD and YPG to be the Syrian branch of the PKK",
			Note: "Turkey said it would keep shelling YPG positions if necessary and did not consider them covered. " +
				"Its designation predates the agreement; approximate: recorded from the joint statement. " +
				"The United States did not designate the YPG.",
		}},
		{SlugPYD, domain.PartyStatus{
			Kind: domain.StatusDesignated, Designator: "Turkey", ValidFrom: statement,
			Source: "Statements of the Turkish government, February 2016, holding the PYD and YPG to be the Syrian branch of the PKK",
			Note:   "Its designation predates the agreement; approximate: recorded from the joint statement.",
		}},
	}
}
