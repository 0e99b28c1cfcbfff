package api

import (
	"reflect"
	"testing"
)

// TestSchemaInlinesEmbeddedStructs: the schema shows what encoding/json writes.
func TestSchemaInlinesEmbeddedStructs(t *testing.T) {
	props := schemaOf(reflect.TypeOf(twilioMessagePage{}))["properties"].(map[string]any)
	for _, k := range []string{"messages", "next_page_uri", "page_size"} {
		if _, ok := props[k]; !ok {
			t.Errorf("schema of twilioMessagePage lacks %q: %v", k, props)
		}
	}
	if _, ok := props["twilioPage"]; ok {
		t.Error("embedded struct shown as a field")
	}
}
