package intake_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/intake"
)

func TestParseSMS(t *testing.T) {
	arabic := "قصف مدفعي على تلبيسة الآن"
	tests := []struct {
		name, form string
		from, body string
	}{
		{"twilio, with its other fields ignored", url.Values{"From": {"+963933000111"}, "Body": {arabic}, "To": {"+15005550006"},
			"MessageSid": {"SM123"}, "AccountSid": {"AC123"}, "NumMedia": {"0"}, "FromCountry": {"SY"}}.Encode(), "+963933000111", arabic},
		{"rapidpro / frontlinesms", url.Values{"from": {"+79161234567"}, "text": {"Обстрел в Алеппо"}, "id": {"42"}}.Encode(), "+79161234567", "Обстрел в Алеппо"},
		{"spaces kept in the text, not the number", "From=+%20963933000111+&Body=++two+lines%0Aof+text++", "963933000111", "  two lines\nof text  "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := intake.ParseSMS([]byte(tt.form))
			if err != nil {
				t.Fatalf("ParseSMS: %v", err)
			}
			want := &domain.Message{Channel: domain.ChannelSMS, Body: tt.body, Sender: domain.Sender{Kind: domain.SenderPublic, Contact: tt.from}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSMSBadInput(t *testing.T) {
	tests := []struct {
		name, form  string
		code, field string
	}{
		{"empty", "", domain.EINVALID, "From"},
		{"neither dialect", "sender=%2B963&message=x", domain.EINVALID, "From"},
		{"twilio without From", "Body=x", domain.EINVALID, "From"},
		{"twilio without Body", "From=%2B963933000111", domain.EINVALID, "Body"},
		{"blank From", "From=++&Body=x", domain.EINVALID, "From"},
		{"blank Body", "From=%2B963&Body=+%0A", domain.EINVALID, "Body"},
		{"rapidpro without text", "from=%2B7916", domain.EINVALID, "text"},
		{"two senders", "From=%2B1&From=%2B2&Body=x", domain.EINVALID, "From"},
		{"two texts", "from=%2B1&text=a&text=b", domain.EINVALID, "text"},
		{"invalid utf-8 escaped", "From=%2B963&Body=%FF%FE", domain.EINVALID, "Body"},
		{"invalid utf-8 raw", "From=%2B963&Body=\xff", domain.EINVALID, ""},
		{"bad escape", "From=%2B963&Body=%ZZ", domain.EINVALID, ""},
		{"text over limit", "From=%2B963&Body=" + strings.Repeat("a", domain.MaxBodyBytes+1), domain.ETOOLARGE, "Body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := intake.ParseSMS([]byte(tt.form))
			if domain.ErrorCode(err) != tt.code || domain.ErrorField(err) != tt.field || m != nil {
				t.Errorf("ParseSMS = %+v, %v; want %s in %q", m, err, tt.code, tt.field)
			}
		})
	}
}
