package mock

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"time"

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/contract"
)

// Control actions of POST /_mock/sessions/{reference}/{action}.
const (
	ActionInitiate = "initiate"
	ActionApprove  = "approve"
	ActionReject   = "reject"
	ActionAddress  = "address"
)

// AddressResult is the answer of the address action: the options the simulated Checkout offers
// for the submitted address and where they came from.
type AddressResult struct {
	// Source is "dynamic" (the merchant's callback answered), "fixed" (fallback to
	// logistics.fixedOptions) or "none" (no options at all).
	Source string `json:"source"`
	// Options are the options offered.
	Options []checkout.LogisticsOption `json:"options"`
	// Selected is the id of the option chosen for the customer (the default, else the first by priority).
	Selected string `json:"selected,omitempty"`
	// FallbackReason says why the dynamic options were not used, when they were not.
	FallbackReason string `json:"fallbackReason,omitempty"`
}

// control serves the simulated customer. It is outside /checkout/v3, needs no keys, and picks the
// merchant by the Merchant-Serial-Number header (default: the only configured merchant).
func (s *Server) control(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ref, action := r.PathValue("reference"), r.PathValue("action")
	msn := r.Header.Get(checkout.HeaderMSN)
	res := func() result {
		if msn == "" {
			if len(s.o.merchants) != 1 {
				return validationProblem(map[string][]string{checkout.HeaderMSN: {"Several merchants are configured: name one with Merchant-Serial-Number."}})
			}
			msn = s.o.merchants[0].MSN
		}
		switch action {
		case ActionInitiate:
			return s.transition(msn, ref, checkout.StatePaymentInitiated)
		case ActionApprove:
			return s.transition(msn, ref, checkout.StatePaymentSuccessful)
		case ActionReject:
			return s.transition(msn, ref, checkout.StatePaymentTerminated)
		case ActionAddress:
			body, res, ok := s.readBody(r)
			if !ok {
				return res
			}
			return s.address(r.Context(), msn, ref, body)
		}
		return problem(http.StatusNotFound, checkout.ErrNotFound, "Unknown action "+fmt.Sprintf("%q", action)+" (initiate, approve, reject, address).", nil)
	}()
	writeJSON(w, res.status, nil, res.body)
	if sw, ok := w.(*statusWriter); ok {
		sw.logged = true
	}
	s.logRequest(r, res.status, start, msn, ref)
}

// transition moves a session as the simulated customer would, answering the SessionResponse.
func (s *Server) transition(msn, ref string, to checkout.SessionState) result {
	return s.withSession(msn, ref, func(sess *session) result {
		if err := s.applyTransition(sess, to); err != nil {
			return conflict(err.Error())
		}
		return ok(s.render(sess))
	})
}

// applyTransition applies one customer step; the store lock must be held.
func (s *Server) applyTransition(sess *session, to checkout.SessionState) error {
	from := sess.state
	switch {
	case to == checkout.StatePaymentInitiated && from == checkout.StateSessionCreated:
		sess.state, sess.pay = to, checkout.PaymentCreated
		if sess.shipping == nil && sess.req.Logistics != nil {
			sess.shipping = pickDefault(sess.req.Logistics.FixedOptions)
		}
	case to == checkout.StatePaymentSuccessful && from == checkout.StatePaymentInitiated:
		sess.state, sess.pay, sess.endedAt = to, checkout.PaymentAuthorized, s.o.clock.Now()
		if sess.req.Type == checkout.TypeSubscription {
			sess.agreementID = "agr_" + randomID(9)
		}
		sess.pendingCallback = s.callbackFor(sess)
	case to == checkout.StatePaymentTerminated && from == checkout.StatePaymentInitiated:
		sess.state, sess.pay, sess.endedAt = to, checkout.PaymentTerminated, s.o.clock.Now()
		sess.pendingCallback = s.callbackFor(sess)
	default:
		return fmt.Errorf("the session cannot go from %s to %s", from, to)
	}
	return nil
}

// pickDefault returns a copy of the option marked isDefault, else the one with the lowest
// priority, else nil.
func pickDefault(opts []checkout.LogisticsOption) *checkout.LogisticsOption {
	if len(opts) == 0 {
		return nil
	}
	sorted := append([]checkout.LogisticsOption(nil), opts...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Priority < sorted[j].Priority })
	for _, o := range sorted {
		if o.IsDefault {
			return &o
		}
	}
	return &sorted[0]
}

// address simulates the customer submitting an address: the dynamic logistics callback is called
// within the budget, its answer is checked against the contract, and the fixed options are the
// fallback.
func (s *Server) address(ctx context.Context, msn, ref string, body []byte) result {
	if res, isObj := jsonObject(body); !isObj {
		return res
	}
	vs, err := s.v.ValidateCallback(contract.CallbackLogistics, body)
	if err == nil && len(vs) > 0 {
		errs := map[string][]string{}
		for _, v := range vs {
			for _, k := range fieldKeys(v) {
				errs[k] = appendUnique(errs[k], v.Message)
			}
		}
		return validationProblem(errs)
	}
	var addr checkout.Address
	if err := json.Unmarshal(body, &addr); err != nil {
		return decodeErr(err)
	}
	// Read what the callback needs under the lock, call it without the lock.
	var dyn, token string
	var fixed []checkout.LogisticsOption
	res := s.withSession(msn, ref, func(sess *session) result {
		if sess.state != checkout.StateSessionCreated && sess.state != checkout.StatePaymentInitiated {
			return conflict("An address can only be submitted before the payment ends; the session is " + string(sess.state) + ".")
		}
		if l := sess.req.Logistics; l != nil {
			if l.DynamicOptionsCallback != nil {
				dyn = *l.DynamicOptionsCallback
			}
			fixed = append(fixed, l.FixedOptions...)
		}
		if sess.req.MerchantInfo != nil {
			token = sess.req.MerchantInfo.CallbackAuthorizationToken
		}
		return result{status: http.StatusOK}
	})
	if res.status != http.StatusOK {
		return res
	}
	out := AddressResult{Source: "none", Options: []checkout.LogisticsOption{}}
	if dyn != "" {
		opts, err := s.callLogistics(ctx, dyn, token, body)
		if err == nil && len(opts) > 0 {
			out.Source, out.Options = "dynamic", opts
		} else if err != nil {
			out.FallbackReason = err.Error()
		} else {
			out.FallbackReason = "the callback answered null or an empty list"
		}
	}
	if out.Source == "none" && len(fixed) > 0 {
		out.Source, out.Options = "fixed", fixed
	}
	chosen := pickDefault(out.Options)
	if chosen != nil {
		out.Selected = chosen.ID
	}
	res = s.withSession(msn, ref, func(sess *session) result {
		if sess.state != checkout.StateSessionCreated && sess.state != checkout.StatePaymentInitiated {
			return conflict("The session ended while the address was being handled; it is " + string(sess.state) + ".")
		}
		a := addr
		sess.address, sess.shipping = &a, chosen
		return ok(out)
	})
	return res
}

// callLogistics posts the address to the merchant's dynamic options callback.
func (s *Server) callLogistics(ctx context.Context, target, token string, body []byte) ([]checkout.LogisticsOption, error) {
	if err := s.hosts.checkURL(target); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.o.logisticsBudget)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build logistics callback: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set(checkout.HeaderAuthorization, token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			return nil, fmt.Errorf("the logistics callback took longer than %s", s.o.logisticsBudget)
		}
		return nil, fmt.Errorf("the logistics callback failed: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read the logistics callback answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the logistics callback answered %d", resp.StatusCode)
	}
	// The contract (ours or --spec) is the judge of the answer, through the one parsed model.
	vs, err := s.v.ValidateCallbackAnswer(contract.CallbackLogistics, http.StatusOK, raw)
	switch {
	case err != nil:
		// A --spec document may declare no schema for the answer: say so (never silently) and
		// take the answer as far as it decodes.
		s.log.Warn("mock: the logistics callback answer is not validated", "reason", err.Error())
	case len(vs) > 0:
		return nil, fmt.Errorf("the logistics callback answer does not conform to the contract: %s: %s", vs[0].Location, vs[0].Message)
	}
	var opts []checkout.LogisticsOption
	if err := json.Unmarshal(raw, &opts); err != nil {
		return nil, fmt.Errorf("the logistics callback answer is not a list of options: %w", err)
	}
	return opts, nil
}

// autoWalk moves a new session through initiate and approve on its own (WithAutoMode).
func (s *Server) autoWalk(msn, ref string) {
	d := s.o.autoDelay
	s.goBackground(func() {
		for _, to := range []checkout.SessionState{checkout.StatePaymentInitiated, checkout.StatePaymentSuccessful} {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-s.autoCtx.Done():
				t.Stop()
				return
			}
			s.transition(msn, ref, to)
		}
	})
}

func ioCopyDiscard(resp *http.Response) (int64, error) {
	return io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
}
