package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestPrecedence(t *testing.T) {
	if c, _, err := Load([]string{"--sms-retention", "4320h"}, none); err != nil || c.SMSRetention != 180*24*time.Hour {
		t.Errorf("sms-retention 180 days: %v %v", c.SMSRetention, err)
	}
	file := filepath.Join(t.TempDir(), "sb.json")
	os.WriteFile(file, []byte(`{"addr": "127.0.0.1:1000", "data_dir": "/file", "log_level": "warn", "shutdown_timeout": "3s"}`), 0o600)
	env := map[string]string{"SWITCHBOARD_DATA_DIR": "/env", "SWITCHBOARD_LOG_LEVEL": "debug"}
	getenv := func(k string) string { return env[k] }

	tests := []struct {
		name     string
		args     []string
		addr     string
		dataDir  string
		logLevel string
	}{
		{"defaults", nil, "127.0.0.1:8080", "/env", "debug"},
		{"file under env", []string{"--config", file}, "127.0.0.1:1000", "/env", "debug"},
		{"flag over env and file", []string{"--config", file, "--data-dir", "/flag", "--addr", "127.0.0.1:2000"}, "127.0.0.1:2000", "/flag", "debug"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := Load(tt.args, getenv)
			if err != nil {
				t.Fatal(err)
			}
			if c.Addr != tt.addr || c.DataDir != tt.dataDir || c.LogLevel != tt.logLevel {
				t.Fatalf("got addr=%s data=%s log=%s; want %s %s %s", c.Addr, c.DataDir, c.LogLevel, tt.addr, tt.dataDir, tt.logLevel)
			}
		})
	}
	c, _, _ := Load([]string{"--config", file}, func(string) string { return "" })
	if c.ShutdownTimeout != 3*time.Second || c.DataDir != "/file" {
		t.Fatalf("file values not applied: %+v", c)
	}
}

func TestValidation(t *testing.T) {
	none := func(string) string { return "" }
	bad := [][]string{
		{"--addr", "nope"},
		{"--database-url", "mysql://x"},
		{"--nats-url", "http://x"},
		{"--log-level", "loud"},
		{"--shutdown-timeout", "-1s"},
		{"--sms-retention", "1h"},
		{"--sms-retention", "-24h"},
	}
	for _, args := range bad {
		if _, _, err := Load(args, none); err == nil {
			t.Errorf("Load(%v) accepted an invalid configuration", args)
		}
	}
	if c, _, err := Load([]string{"--sms-retention", "4320h"}, none); err != nil || c.SMSRetention != 180*24*time.Hour {
		t.Errorf("sms-retention 180 days: %v %v", c.SMSRetention, err)
	}
	file := filepath.Join(t.TempDir(), "sb.json")
	os.WriteFile(file, []byte(`{"adr": "x"}`), 0o600)
	if _, _, err := Load([]string{"--config", file}, none); err == nil {
		t.Error("unknown setting in the config file was accepted")
	}
}
