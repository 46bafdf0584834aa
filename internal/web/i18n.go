package web

// arabic holds the Arabic strings of the public pages; English is the key.
var arabic = map[string]string{
	"Ceasefire coordination desk": "مكتب تنسيق وقف إطلاق النار",
	"Report an incident":          "الإبلاغ عن حادث",
	"Follow a report":             "متابعة بلاغ",
	"Report received":             "تم استلام البلاغ",
	"Error":                       "خطأ",
	"intro":                       "يستقبل هذا المكتب البلاغات عن خروقات وقف إطلاق النار ويتابعها. يُحفظ كل بلاغ قبل أن يُعطى رقم متابعة.",
	"Your name (optional)":        "اسمك (اختياري)",
	"Phone or email (optional)":   "الهاتف أو البريد الإلكتروني (اختياري)",
	"What happened, where, when":  "ماذا حدث، وأين، ومتى",
	"body_hint":                   "اذكر المكان والوقت وما رأيته أو سمعته.",
	"Send report":                 "إرسال البلاغ",
	"Tracking number":             "رقم المتابعة",
	"Look up":                     "بحث",
	"keep_number":                 "احتفظ بهذا الرقم: به تتابع حالة بلاغك. اقرأه كما هو، حرفاً حرفاً.",
	"State":                       "الحالة",
	"Received at":                 "وقت الاستلام",
	"Last change":                 "آخر تغيير",
	"received":                    "مُستلم",
	"triaged":                     "قيد المراجعة",
	"linked":                      "مرتبط بحادث",
	"closed":                      "مُغلق",
	"rejected":                    "مرفوض",
	"err_utf8":                    "النص يحتوي على رموز غير صالحة.",
	"err_body_required":           "يرجى وصف ما حدث.",
	"err_too_long":                "البلاغ طويل جداً.",
	"err_invalid":                 "قيمة غير صالحة.",
	"err_tracking":                "هذا ليس رقم متابعة صالحاً (مثال: TRC-7K3M-Q9XD-A4RW).",
	"err_tracking_unknown":        "لا يوجد بلاغ بهذا الرقم.",
	"English":                     "English",
	"العربية":                     "العربية",
	"Home":                        "الرئيسية",
	"repeat_note":                 "سبق أن أرسلت هذا البلاغ؛ هذا رقمه الأصلي.",
	"Daily bulletins":             "النشرات اليومية",
	"corrected":                   "مُصحَّحة",
}

var english = map[string]string{
	"intro":                "This desk receives and follows up reports of ceasefire violations. Every report is stored before it is given a tracking number.",
	"body_hint":            "Say where and when, and what you saw or heard.",
	"keep_number":          "Keep this number: it lets you follow your report. Read it out symbol by symbol.",
	"err_utf8":             "The text contains invalid characters.",
	"err_tracking":         "This is not a valid tracking number (they look like TRC-7K3M-Q9XD-A4RW).",
	"err_tracking_unknown": "There is no report with this number.",
	"repeat_note":          "You sent this report before; this is its original number.",
}

func translate(lang, key string) string {
	if lang == "ar" {
		if s, ok := arabic[key]; ok {
			return s
		}
	}
	if s, ok := english[key]; ok {
		return s
	}
	return key
}
