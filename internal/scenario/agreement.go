package scenario

import (
	"time"

	"github.com/trucedesk/truce/internal/domain"
)

// AgreementSlug is the demo agreement's slug.
const AgreementSlug = "syria-coh-2016"

// agreementText summarises the terms annexed to the joint statement, in the
// Truce team's words; the Source names the documents to read for the
// authoritative text.
const agreementText = `Cessation of hostilities in Syria, announced by the United States and the Russian Federation as co-chairs of the International Syria Support Group (ISSG) on 22 February 2016.

Scope. The cessation applies nationwide to every party engaged in military or paramilitary hostilities in Syria against any party other than ISIL (Daesh), Jabhat al-Nusra, or other organisations the UN Security Council has designated as terrorist. Operations against those groups, including air strikes by the Syrian armed forces, the Russian Armed Forces and the US-led coalition against ISIL, may continue.

Commitment. Each party was to tell the United States or the Russian Federation, by 12:00 Damascus time on 26 February 2016, that it commits to the terms. The cessation took effect at 00:00 Damascus time on 27 February 2016.

Obligations. The Syrian government and the forces supporting it, and the armed opposition groups, each undertake to: support the political transition process of UN Security Council resolution 2254 (2015), including UN-facilitated negotiations; stop attacks with any weapons against one another, including rockets, mortars, anti-tank guided missiles and, for the government side, aerial bombardment by the Syrian and Russian air forces against armed opposition groups that have committed; refrain from taking or seeking to take territory from other parties to the cessation; allow humanitarian agencies rapid, safe and unhindered access to the areas under their control; and use force only proportionately, when needed in self-defence against an immediate threat.

Monitoring. The co-chairs lead an ISSG ceasefire task force under UN auspices to delineate the territory held by ISIL, Jabhat al-Nusra and other designated groups, share information, resolve reports of violations, and if need be refer persistent non-compliance to the ISSG, which may exclude a party from the arrangement and from its protection. Russia opened its Centre for the Reconciliation of Opposing Sides at Hmeimim air base on 23 February 2016 to receive commitments and reports.

Endorsement. UN Security Council resolution 2268 (26 February 2016) endorsed the joint statement and demanded that the cessation begin as agreed.

End. The terms set no end date. The cessation eroded from April 2016, and a new US–Russian arrangement of 9 September 2016, in force from sunset on 12 September 2016, replaced it (and collapsed within days). This record ends the February cessation when that arrangement took effect, so that later incidents are judged "after the end" rather than as violations of terms nobody still observed.`

// agreement returns the cessation of hostilities of 27 February 2016.
func agreement(loc *time.Location) *domain.Agreement {
	return &domain.Agreement{
		Slug:     AgreementSlug,
		Name:     "Cessation of Hostilities in Syria (February 2016)",
		TimeZone: TimeZone,
		Start:    damascus(loc, 2016, time.February, 27, 0, 0),
		CommitBy: damascus(loc, 2016, time.February, 26, 12, 0),
		// Replaced by the arrangement of 9 September 2016 at sunset on 12
		// September (about 19:00 Damascus time); see agreementText.
		End: damascus(loc, 2016, time.September, 12, 19, 0),
		// The terms forbid attacks with any weapon and taking territory,
		// so every ACLED sub-event of armed violence or territorial change
		// is prohibited; protests, riots and strategic developments are not.
		ProhibitedActs: []string{
			domain.SubAirStrike,
			domain.SubShelling,
			domain.SubClash,
			"Government regains territory",
			"Non-state actor overtakes territory",
			"Suicide bomb",
			"Remote explosive/landmine/IED",
			"Chemical weapon",
		},
		Country:            "Syria",
		ExclusionAuthority: ExclusionAuthority,
		Text:               agreementText,
		Source: "Joint Statement of the United States and the Russian Federation, as Co-Chairs of the ISSG, " +
			"on Cessation of Hostilities in Syria, 22 February 2016, with its annex \"Terms for a Cessation of " +
			"Hostilities in Syria\" (US Department of State; Ministry of Foreign Affairs of the Russian Federation); " +
			"endorsed by UN Security Council resolution 2268 (2016), S/RES/2268, 26 February 2016",
	}
}

// ExclusionAuthority is whose designations put a party outside the
// cessation: the terms exclude groups the UN Security Council designated.
const ExclusionAuthority = "UN Security Council"
