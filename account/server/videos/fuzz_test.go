package videos

import (
	"bytes"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slatestudio/slate/account"
)

// FuzzVideoRequest feeds POST /v1/videos's decoding random bodies, as JSON
// and as multipart/form-data: it never panics, what it refuses it refuses
// with an error that names a status (an *Error, a field error, or a body
// too large), and what it takes resolves to a job within every limit, with
// no temporary file left behind once the caller removes the one returned.
func FuzzVideoRequest(f *testing.F) {
	for _, s := range []string{
		`{"prompt":"a lighthouse","model":"animatic","seconds":"4","size":"640x360","seed":7}`,
		`{"prompt":"x","seconds":8,"model":"onnx","input_reference":{"image_url":"data:image/png;base64,iVBORw0KGgo="}}`,
		`{"prompt":"x","num_frames":48,"fps":24,"width":640,"height":360,"negative_prompt":"blur"}`,
		`{"prompt":"x","slate":{"version":1,"backend":"animatic","key":"k","request":{"project_id":"p","shot":{"id":"s"}},"members":["0123456789abcdef"],"grants":["sg1.x"]}}`,
		`{"prompt":"\u0000"}`, `{"prompt":"x","seconds":"1e309"}`, `{"prompt":"x","size":"0x0"}`, `[]`, ``,
	} {
		f.Add(false, []byte(s))
		f.Add(true, []byte(s))
	}
	dir := f.TempDir()
	s := &Service{tmp: filepath.Join(dir, "tmp"), cfg: Config{InputLimit: 4 << 10},
		models: []account.VideoModel{
			{ID: "animatic", Sizes: []string{"640x360", "1280x720"}, FPS: []int{24}, MinSeconds: 1, MaxSeconds: 20},
			{ID: "onnx", MaxWidth: 1024, MaxHeight: 1024, Seconds: []string{"4", "8"}, ImageInput: true},
		}}
	os.MkdirAll(s.tmp, 0o700)
	f.Fuzz(func(t *testing.T, multi bool, data []byte) {
		var r *http.Request
		if multi {
			// The JSON's fields become the form's, the input as a file part.
			var b bytes.Buffer
			mw := multipart.NewWriter(&b)
			for i, part := range bytes.Split(data, []byte("&")) {
				name, value, _ := strings.Cut(string(part), "=")
				if name == "input_reference" && i%2 == 0 {
					w, _ := mw.CreateFormFile(name, "in.png")
					w.Write([]byte(value))
					continue
				}
				mw.WriteField(name, value)
			}
			mw.Close()
			r = httptest.NewRequest("POST", "/v1/videos", &b)
			r.Header.Set("Content-Type", mw.FormDataContentType())
		} else {
			r = httptest.NewRequest("POST", "/v1/videos", bytes.NewReader(data))
			r.Header.Set("Content-Type", "application/json")
		}
		w := httptest.NewRecorder()
		r.Body = http.MaxBytesReader(w, r.Body, s.bodyLimit())
		req, input, err := s.readRequest(r)
		if input != "" {
			os.Remove(input)
		}
		if err == nil {
			var sp spec
			sp, err = s.resolve(req)
			if err == nil {
				switch {
				case utf8.RuneCountInString(sp.Prompt) < 1 || utf8.RuneCountInString(sp.Prompt) > account.MaxVideoPromptRunes:
					t.Errorf("prompt of %d characters taken", utf8.RuneCountInString(sp.Prompt))
				case sp.Width <= 0 || sp.Height <= 0 || sp.Width%2 != 0 || sp.Height%2 != 0 || sp.Width > account.MaxVideoSide:
					t.Errorf("size %dx%d taken", sp.Width, sp.Height)
				case sp.FPS <= 0 || sp.Frames <= 0 || sp.Seconds <= 0 || sp.Seconds > account.MaxVideoSeconds:
					t.Errorf("timing %d fps, %d frames, %v s taken", sp.FPS, sp.Frames, sp.Seconds)
				case sp.Model != "animatic" && sp.Model != "onnx":
					t.Errorf("model %q taken", sp.Model)
				}
			}
		}
		if err != nil {
			var e *Error
			var fe *account.FieldError
			var tooBig *http.MaxBytesError
			if !errors.As(err, &e) && !errors.As(err, &fe) && !errors.As(err, &tooBig) && !errors.Is(err, account.ErrTooLarge) {
				t.Errorf("refused with an error of no status: %T %v", err, err)
			}
		}
		if left, _ := os.ReadDir(s.tmp); len(left) != 0 {
			t.Errorf("temporary files left: %v", left)
		}
	})
}
