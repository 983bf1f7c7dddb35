package reports

import (
	"bytes"
	"io"
	"testing"
)

// FuzzReadReport feeds arbitrary bytes to the readers (saved reports are outside input for
// `checkoutkit report`): reading must not panic, and whatever reads must render in every format.
func FuzzReadReport(f *testing.F) {
	var c, l bytes.Buffer
	if err := WriteComplianceJSON(&c, sampleCompliance()); err != nil {
		f.Fatal(err)
	}
	if err := WriteLoadJSON(&l, sampleLoad()); err != nil {
		f.Fatal(err)
	}
	f.Add(c.Bytes())
	f.Add(l.Bytes())
	f.Add([]byte(`{"schemaVersion":"checkoutkit.compliance/v1","operations":[{"key":"GET /x","statuses":[{"code":"4XX"}]}],"specs":[{"state":"failed"}]}`))
	f.Add([]byte(`{"schemaVersion":"checkoutkit.load/v1","operations":[{"name":"x","requests":-1,"histogram":[{"upperMs":-1,"count":-5}],"timeline":[{"second":-3,"p99Ms":1e308}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ReadReport(bytes.NewReader(data))
		if err != nil {
			return
		}
		switch rep := r.(type) {
		case *Compliance:
			rep.Finalize()
			for _, w := range []func(io.Writer, *Compliance) error{WriteComplianceJSON, WriteComplianceMarkdown, WriteComplianceHTML, WriteComplianceJUnit} {
				if err := w(io.Discard, rep); err != nil {
					t.Fatal(err)
				}
			}
		case *Load:
			rep.Finalize()
			for _, w := range []func(io.Writer, *Load) error{WriteLoadJSON, WriteLoadText, WriteLoadMarkdown, WriteLoadHTML} {
				if err := w(io.Discard, rep); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}
