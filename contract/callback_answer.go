package contract

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pb33f/libopenapi/datamodel/high/base"
)

// ValidateCallbackAnswer validates body, the merchant's answer with status to the callback
// named by kind (CallbackPayment or CallbackLogistics), against the response schema the
// contract declares for that callback. The callback is found as ValidateCallback finds it: by
// the URL expression containing kind, never by a schema name, so Vipps' own document works as
// well as ours. Violations have Direction DirCallback and Status status. An error means the
// check could not run: the contract declares no such callback, no answer with that status, or
// no schema for it.
func (v *Validator) ValidateCallbackAnswer(kind string, status int, body []byte) ([]Violation, error) {
	schema, err := v.callbackAnswerSchema(kind, status)
	if err != nil {
		return nil, err
	}
	_, errs := v.schema.ValidateSchemaBytes(schema, body)
	return v.convert(errs, "callback "+kind+" answer", DirCallback, status), nil
}

// callbackAnswerSchema walks the parsed model (read-only after NewValidator, so no lock). The
// answer is looked for in every callback whose expression names kind, in document order.
func (v *Validator) callbackAnswerSchema(kind string, status int) (*base.Schema, error) {
	code := strconv.Itoa(status)
	found := false
	for p := v.c.model.Paths.PathItems.First(); p != nil; p = p.Next() {
		for o := p.Value().GetOperations().First(); o != nil; o = o.Next() {
			if o.Value().Callbacks == nil {
				continue
			}
			for cb := o.Value().Callbacks.First(); cb != nil; cb = cb.Next() {
				for e := cb.Value().Expression.First(); e != nil; e = e.Next() {
					post := e.Value().Post
					if !strings.Contains(e.Key(), kind) || post == nil {
						continue
					}
					found = true
					if post.Responses == nil || post.Responses.Codes == nil {
						continue
					}
					r, ok := post.Responses.Codes.Get(code)
					if !ok || r == nil || r.Content == nil {
						continue
					}
					for mt := r.Content.First(); mt != nil; mt = mt.Next() {
						if mt.Value().Schema != nil {
							return mt.Value().Schema.Schema(), nil
						}
					}
				}
			}
		}
	}
	if !found {
		return nil, fmt.Errorf("contract %s declares no callback whose URL expression names %q", v.c.Name, kind)
	}
	return nil, fmt.Errorf("contract %s declares no schema for the %d answer of callback %q", v.c.Name, status, kind)
}
