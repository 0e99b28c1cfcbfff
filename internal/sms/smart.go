package sms

import "strings"

// smartEncoder replaces characters that have no GSM 03.38 form but a close one (typographic
// quotes and dashes, ellipsis, unusual spaces) by it, so that a text otherwise in GSM-7 is sent
// in GSM-7 (160 characters a segment) instead of UCS-2 (70): Twilio's SmartEncoded. Characters
// with no close GSM form are left alone.
var smartEncoder = strings.NewReplacer(
	"\u2018", "'", "\u2019", "'", "\u201A", "'", "\u201B", "'", "\u2032", "'", "\u2035", "'",
	"\u201C", `"`, "\u201D", `"`, "\u201E", `"`, "\u201F", `"`, "\u2033", `"`, "\u2036", `"`,
	"\u00AB", `"`, "\u00BB", `"`,
	"\u2010", "-", "\u2011", "-", "\u2012", "-", "\u2013", "-", "\u2014", "-", "\u2015", "-", "\u2212", "-",
	"\u2026", "...", "\u2022", "-",
	"\u00A0", " ", "\u2000", " ", "\u2001", " ", "\u2002", " ", "\u2003", " ", "\u2004", " ", "\u2005", " ",
	"\u2006", " ", "\u2007", " ", "\u2008", " ", "\u2009", " ", "\u200A", " ", "\u202F", " ", "\u205F", " ", "\u3000", " ",
	"\u200B", "", "\uFEFF", "",
	"\u02C6", "^", "\u02DC", "~", "\u2039", "<", "\u203A", ">",
)

// SmartEncode applies smartEncoder to body.
func SmartEncode(body string) string { return smartEncoder.Replace(body) }
