package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/consent"
)

// TestVideoConsentProperty drives the real server with random sequences of
// jobs featuring another account's member, revocations (the level
// lowered, or the creator blocked) and restorations with a new grant,
// while jobs render. Whatever the interleaving, no clip is ever made after
// a revocation the server acknowledged: a job completed under a grant
// handed its clip over before the revocation of that grant returned, and
// every job that did not ends failed with consent_required.
func TestVideoConsentProperty(t *testing.T) {
	ctx := context.Background()
	rd := newTestRenderer()
	rd.steps, rd.step = 2, 500*time.Microsecond
	cfg := videoConfig(rd)
	cfg.RenderWorkers = 2
	e := newEnv(t, cfg)
	owner, creator := e.signUp("olive"), e.signUp("oscar")
	n := 0
	var count struct{ completed, refusedAtSubmit, failed, revocations int }
	defer func() { t.Logf("outcomes: %+v", count) }()
	rapid.Check(t, func(rt *rapid.T) {
		n++
		m := must(owner.CreateMember(ctx, account.NewMember{Name: "M", Handle: fmt.Sprintf("@m%d", n), Level: consent.Everyone}))
		type epoch struct {
			grant   client.Grant
			revoked time.Time // when the revocation returned; zero while live
		}
		epochs := []*epoch{{grant: must(creator.RequestGrant(ctx, client.GrantRequest{Member: m.ID, Project: "p1", Shot: "s1", Scope: consent.Draft}))}}
		type job struct {
			id    string
			epoch *epoch
		}
		var jobs []job
		steps := rapid.IntRange(1, 12).Draw(rt, "steps")
		for range steps {
			cur := epochs[len(epochs)-1]
			switch rapid.IntRange(0, 5).Draw(rt, "action") {
			case 0, 1, 2: // submit a job under the current grant
				body := jsonOf(map[string]any{"prompt": "p", "slate": map[string]any{"version": 1, "backend": "animatic", "key": "k",
					"request": map[string]any{"project_id": "p1", "shot": map[string]any{"id": "s1"}}, "members": []string{m.ID}, "grants": []string{cur.grant.Token}}})
				code, _, b := e.vreq("POST", "", creator.token, strings.NewReader(body), "application/json")
				switch {
				case code == http.StatusOK:
					var v account.Video
					mustJSON(b, &v)
					jobs = append(jobs, job{v.ID, cur})
				case code == http.StatusForbidden && !cur.revoked.IsZero():
					count.refusedAtSubmit++
				default:
					rt.Fatalf("submit under a %s grant = %d %s", map[bool]string{true: "live", false: "revoked"}[cur.revoked.IsZero()], code, b)
				}
			case 3: // revoke
				if !cur.revoked.IsZero() {
					continue
				}
				patch := account.MemberPatch{Level: ptr(consent.OnlyMe)}
				if rapid.Bool().Draw(rt, "block") {
					patch = account.MemberPatch{Blocked: &[]string{"oscar"}}
				}
				must(owner.UpdateMember(ctx, m.ID, patch))
				cur.revoked = time.Now()
				count.revocations++
			case 4: // restore, with a new grant
				if cur.revoked.IsZero() {
					continue
				}
				must(owner.UpdateMember(ctx, m.ID, account.MemberPatch{Level: ptr(consent.Everyone), Blocked: &[]string{}}))
				epochs = append(epochs, &epoch{grant: must(creator.RequestGrant(ctx, client.GrantRequest{Member: m.ID, Project: "p1", Shot: "s1", Scope: consent.Draft}))})
			case 5:
				time.Sleep(time.Duration(rapid.IntRange(0, 3).Draw(rt, "ms")) * time.Millisecond)
			}
		}
		for _, j := range jobs {
			v := e.wait(creator.token, j.id)
			rd.mu.Lock()
			handed := rd.finished[j.id]
			rd.mu.Unlock()
			switch {
			case v.Status == account.VideoCompleted:
				count.completed++
				if !j.epoch.revoked.IsZero() && !handed.Before(j.epoch.revoked) {
					rt.Fatalf("job %s completed with a clip handed over at %s, after the revocation returned at %s",
						j.id, handed.Format(time.RFC3339Nano), j.epoch.revoked.Format(time.RFC3339Nano))
				}
			case v.Error != nil && v.Error.Code == account.VideoConsentRequired && !j.epoch.revoked.IsZero():
				count.failed++
			default:
				rt.Fatalf("job %s = %+v %+v", j.id, v, v.Error)
			}
		}
	})
}

func mustJSON(b []byte, v any) {
	if err := jsonUnmarshal(b, v); err != nil {
		panic(err)
	}
}
