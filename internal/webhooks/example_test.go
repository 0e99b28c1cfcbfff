package webhooks_test

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"github.com/switchboard/switchboard/internal/webhooks"
)

// Example shows one delivery: validate the URL when it is saved, sign, send through the guarded
// client, keep the start of the answer. The URL is refused here, as a tenant's pointing at the
// metadata service would be.
func Example() {
	url := "http://169.254.169.254/latest/meta-data/"
	if err := webhooks.ValidateURL(url, nil); err != nil {
		fmt.Println("save:", err)
	}

	client := webhooks.NewClient(webhooks.ClientOptions{})
	key, _ := webhooks.NewSecret()
	body := []byte(`{"type":"message.delivered"}`)
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	webhooks.SetHeaders(req.Header, [][]byte{key}, "evt_1", time.Now(), body)
	resp, err := client.Do(req)
	if err != nil {
		fmt.Println("send refused")
		return
	}
	defer resp.Body.Close()
	answer, _, _ := webhooks.ReadLimited(resp.Body, 4<<10)
	fmt.Println(resp.StatusCode, len(answer))
	// Output:
	// save: webhooks: destination address is not allowed: address 169.254.169.254 refused: cloud metadata
	// send refused
}
