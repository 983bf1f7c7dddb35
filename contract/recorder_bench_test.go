package contract

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkRoundTrip measures what the Recorder adds to a GET answered on loopback: "bare" is
// the plain transport, the baseline in the same run; "recorder" validates the request and the
// response and records the exchange.
func BenchmarkRoundTrip(b *testing.B) {
	_, v := sharedValidator(b)
	const body = `{"sessionId":"s1","merchantSerialNumber":"123456","reference":"acme-order-0001","sessionState":"SessionCreated"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}))
	defer srv.Close()
	run := func(b *testing.B, rt http.RoundTripper) {
		c := &http.Client{Transport: rt}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			req, _ := http.NewRequest("GET", srv.URL+"/checkout/v3/session/acme-order-0001", nil)
			req.Header = goodHeaders()
			resp, err := c.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.HasPrefix(string(got), `{"sessionId"`) {
				b.Fatalf("answer %q", got)
			}
		}
	}
	b.Run("bare", func(b *testing.B) { run(b, srv.Client().Transport) })
	b.Run("recorder", func(b *testing.B) {
		rec := NewRecorder(v, srv.Client().Transport, WithMaxExchanges(1000))
		run(b, rec)
		b.StopTimer()
		if st := rec.Stats(); st.RequestViolations+st.ResponseViolations != 0 {
			b.Fatalf("violations in the benchmark traffic: %+v", rec.Violations())
		}
	})
}
