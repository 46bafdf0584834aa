package scenario

import (
	"time"

	"github.com/trucedesk/truce/internal/domain"
)

// illustrative begins every message's Note. The messages are written by the
// Truce team to show what a desk at Hmeimim would have received between 23
// and 29 February 2016; none is a real message, and the senders, numbers
// and addresses are invented (the phone numbers use the unassigned 963 000
// range on purpose).
const illustrative = "Illustrative message written by the Truce team; not a real message. "

// messages returns the desk's inbox for the first days of the cessation,
// oldest first.
func messages(loc *time.Location) []MessageSpec {
	dumaSMS := "سقوط قذائف هاون على الأحياء السكنية في مدينة دوما منذ الساعة السابعة صباحاً. " +
		"٤ قذائف قرب السوق الرئيسي وإصابات بين المدنيين. مصدر القصف مواقع قوات النظام في محيط المدينة. " +
		"الهدنة لم تصمد ساعات."
	dumaSender := domain.Sender{Kind: domain.SenderPublic, Contact: "+963000000301"}
	return []MessageSpec{
		{
			Channel:    domain.ChannelEmail,
			Sender:     domain.Sender{Kind: domain.SenderLiaison, Name: "Liaison officer, Southern Front", Contact: "liaison@southern-front.example"},
			PartySlug:  SlugSouthern,
			ReceivedAt: damascus(loc, 2016, time.February, 24, 10, 20),
			Language:   "en",
			Subject:    "Commitment to the cessation of hostilities",
			Body: "To the ceasefire task force, through the United States co-chair.\n\n" +
				"The command of the Southern Front confirms that its factions in Daraa and Quneitra governorates " +
				"accept the terms for a cessation of hostilities announced on 22 February 2016 and will observe " +
				"them from 00:00 Damascus time on Saturday 27 February 2016.\n\n" +
				"We will stop attacks on government forces and those fighting with them, will not try to take " +
				"new ground, and will let humanitarian convoys reach the areas we hold. We keep the right to " +
				"defend ourselves if attacked, and we ask the task force to make sure that air strikes on our " +
				"areas stop as well.\n\n" +
				"A list of our factions and their front lines will follow separately.\n\n" +
				"Liaison officer, Southern Front",
			Note: illustrative + "A commitment through a liaison; the monitor links it to the Southern Front's committed status.",
		},
		{
			Channel:    domain.ChannelPhone,
			Sender:     domain.Sender{Kind: domain.SenderLiaison, Name: "FSA brigade representative, ar-Rastan", Contact: "+963000000201"},
			PartySlug:  SlugFSA,
			ReceivedAt: damascus(loc, 2016, time.February, 26, 10, 45),
			Language:   "ar",
			Subject:    "التزام بوقف الأعمال العدائية",
			// A call to the Hmeimim hotline, as the operator transcribed it.
			Body: "اتصال هاتفي من ممثل لواء تابع للجيش السوري الحر في ريف حمص الشمالي (الرستن). " +
				"يبلّغ أن اللواء يلتزم بوقف الأعمال العدائية اعتباراً من الساعة ٠٠:٠٠ بتوقيت دمشق يوم السبت ٢٧ شباط، " +
				"ويطلب تسجيل المناطق التي يسيطر عليها في الرستن وتلبيسة ضمن مناطق وقف الأعمال العدائية. " +
				"سيرسل أسماء القادة وإحداثيات خطوط التماس عبر البريد الإلكتروني.",
			Note: illustrative + "A local faction commits by phone before the 12:00 deadline on 26 February; " +
				"it names places (ar-Rastan, Talbiseh) the gazetteer knows.",
		},
		{
			Channel:    domain.ChannelSMS,
			Sender:     dumaSender,
			ReceivedAt: damascus(loc, 2016, time.February, 27, 7, 42),
			Language:   "ar",
			Body:       dumaSMS,
			Note: illustrative + "A public report of shelling on Douma (Rural Damascus) on the first morning, " +
				"alleging government forces; a single source, so weak until corroborated.",
		},
		{
			Channel:    domain.ChannelSMS,
			Sender:     dumaSender,
			ReceivedAt: damascus(loc, 2016, time.February, 27, 7, 58),
			Language:   "ar",
			Body:       dumaSMS,
			Note: illustrative + "The same sender sends the same text 16 minutes later: intake should count it " +
				"as a repeat of the 07:42 message rather than store a second report.",
		},
		{
			Channel: domain.ChannelPhone,
			Sender: domain.Sender{Kind: domain.SenderLiaison, Name: "Дежурный офицер Центра по примирению, Хмеймим",
				Contact: "+963000000101"},
			PartySlug:  SlugRussia,
			ReceivedAt: damascus(loc, 2016, time.February, 27, 14, 10),
			Language:   "ru",
			Subject:    "Обстрел н.п. Кинсабба",
			Body: "Дежурная смена Центра по примирению враждующих сторон сообщает: в 12:40 по дамасскому времени " +
				"зафиксирован миномётный обстрел населённого пункта Кинсабба (провинция Латакия) с направления, " +
				"контролируемого вооружёнными формированиями. Выпущено до шести мин, пострадавших нет, " +
				"повреждены два жилых дома. Принадлежность стрелявших уточняется.",
			Note: illustrative + "A report in Russian from the Russian side, perpetrator unknown: the verdict " +
				"stays undetermined until the desk knows who fired. GeoNames spells the village Kinnsibbā.",
		},
		{
			Channel:    domain.ChannelWeb,
			Sender:     domain.Sender{Kind: domain.SenderPress, Name: "Correspondent, international news agency, Beirut"},
			ReceivedAt: damascus(loc, 2016, time.February, 28, 9, 20),
			Language:   "en",
			Subject:    "Reported air strikes in the northern Homs countryside",
			Body: "Local activists in the northern Homs countryside reported air strikes on the outskirts of " +
				"Talbiseh late on Saturday night, the first they had reported since the cessation of hostilities " +
				"began at midnight. An activist network said one civilian was wounded. It was not clear whose " +
				"aircraft carried out the strikes, and state media reported no military operations in the area. " +
				"The claims could not be independently verified.",
			Note: illustrative + "A public report with no identified perpetrator, in an area where a committed " +
				"faction (the ar-Rastan brigade) operates.",
		},
		{
			Channel:    domain.ChannelEmail,
			Sender:     domain.Sender{Kind: domain.SenderLiaison, Name: "YPG liaison to the task force", Contact: "liaison@ypg.example"},
			PartySlug:  SlugYPG,
			ReceivedAt: damascus(loc, 2016, time.February, 28, 17, 5),
			Language:   "en",
			Subject:    "Artillery fire on our positions near Tell Rifaat",
			Body: "This afternoon between 15:10 and 15:40 our positions near Tell Rifaat, north of Aleppo, came " +
				"under artillery fire from the direction of the Turkish border. We counted about twelve shells. " +
				"Two of our fighters were lightly wounded. We did not return fire.\n\n" +
				"The YPG declared on 24 February that it would abide by the cessation of hostilities. We ask the " +
				"co-chairs to record this attack as a violation.",
			Note: illustrative + "The disputed case: under the co-chairs' view the YPG is covered, while Turkey " +
				"designates it, so the verdict differs by view.",
		},
		{
			Channel:    domain.ChannelEmail,
			Sender:     domain.Sender{Kind: domain.SenderNGO, Name: "Documentation team, Syrian human rights group", Contact: "documentation@ngo.example"},
			ReceivedAt: damascus(loc, 2016, time.February, 29, 11, 30),
			Language:   "en",
			Subject:    "Daily documentation, Sunday 28 February 2016",
			Body: "Our field documenters recorded the following deaths on Sunday 28 February 2016 (Damascus time), " +
				"the second day of the cessation of hostilities:\n\n" +
				"- Hama governorate: two civilians killed by shelling;\n" +
				"- Idleb governorate: one civilian killed by shelling, one fighter killed in clashes;\n" +
				"- Aleppo governorate: a woman killed by sniper fire.\n\n" +
				"These are preliminary figures; we will send corrections as names are verified. " +
				"Deaths in areas held by ISIL and Jabhat al-Nusra are documented separately.",
			Note: illustrative + "An NGO's daily figures, to be compared with the VDC series; not linked to a single incident.",
		},
	}
}
