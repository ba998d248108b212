package remote_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/slatestudio/slate/render/remote"
	"github.com/slatestudio/slate/render/remote/remotetest"
)

// While the shot is on its way the job keeps a mark saying so (a studio
// killed then looks for the job before sending again: servers's
// TestKilledMidPollResumes); a shot the server refuses leaves nothing
// kept, so the failed job has nothing to resume.
func TestRefusedShotKeepsNoMark(t *testing.T) {
	_, hs := serve(t, remotetest.Config{Intercept: func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPost {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"error":{"message":"prompt is not allowed","type":"invalid_request_error","param":"prompt","code":"invalid_value"}}`))
		return true
	}})
	b := remote.New(remote.Server{Name: "box", URL: hs.URL, Kind: remote.KindGeneric}, "wan", remote.Options{Tools: tools(t), Model: &wan, Poll: 20 * time.Millisecond})
	req := shotRequest(t, 320, 180, 24, time.Second, nil)
	rj := &memRemote{}
	req.Remote = rj
	if _, err := b.Render(testCtx(t), req, func(float64) {}); err == nil {
		t.Fatal("a refused shot rendered")
	}
	id, sets := rj.get()
	if id != "" {
		t.Errorf("the refused shot keeps %q as its remote job; want nothing", id)
	}
	if len(sets) != 2 || sets[0] == "" || sets[1] != "" {
		t.Errorf("the IDs kept were %q; want the sending mark, then nothing", sets)
	}
}
