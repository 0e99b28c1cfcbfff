package sms

import (
	"errors"
	"testing"
)

func TestRender(t *testing.T) {
	tpl := Template{Body: "Your code is ${code}, valid for ${minutes} minutes."}
	tests := []struct {
		params map[string]string
		want   string
		err    bool
	}{
		{map[string]string{"code": "123456", "minutes": "5"}, "Your code is 123456, valid for 5 minutes.", false},
		{map[string]string{"code": "123456"}, "", true},                                 // missing
		{map[string]string{"code": "1", "minutes": "5", "extra": "x"}, "", true},        // unknown
		{map[string]string{"code": string(make([]byte, 65)), "minutes": "5"}, "", true}, // too long
	}
	for _, tt := range tests {
		got, err := tpl.Render(tt.params)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("Render(%v) = %q, %v", tt.params, got, err)
		}
		if err != nil && !errors.Is(err, ErrTemplateParam) {
			t.Errorf("error %v is not ErrTemplateParam", err)
		}
	}
}
