package mock

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/checkoutkit/checkoutkit/checkout"
)

func conflict(title string) result {
	return problem(http.StatusConflict, checkout.ErrSessionConflict, title, nil)
}

func ok(v any) result { return result{status: http.StatusOK, body: marshal(v)} }

// decodeErr answers a body that passed the schema but does not fit the Go types (an integer
// beyond int64, say) with a 400 keyed by the field.
func decodeErr(err error) result {
	if te, isType := err.(*json.UnmarshalTypeError); isType && te.Field != "" {
		return validationProblem(map[string][]string{
			pascalPath("/" + strings.ReplaceAll(te.Field, ".", "/")): {"The value is out of range or of the wrong type."},
		})
	}
	return validationProblem(map[string][]string{"Body": {"The request body does not match the expected types."}})
}

// create handles POST /checkout/v3/session.
func (s *Server) create(c *call) result {
	var req checkout.InitiateSessionRequest
	if err := json.Unmarshal(c.body, &req); err != nil {
		return decodeErr(err)
	}
	ref, errs := s.createRules(&req)
	if len(errs) > 0 {
		return validationProblem(errs)
	}
	c.ref = ref
	now := s.o.clock.Now()
	id := randomID(16)
	sess := &session{
		msn: c.msn, ref: ref, id: id, req: req, state: checkout.StateSessionCreated,
		created: now, expiresAt: now.Add(s.o.sessionTTL),
	}
	sess.token = newToken(id, ref, c.msn, now, sess.expiresAt)
	var jobs []*callbackJob
	dup := func() bool {
		s.store.mu.Lock()
		defer s.store.mu.Unlock()
		jobs = s.sweep(now)
		if old, exists := s.store.m[skey{c.msn, ref}]; exists {
			if gone, job := s.advance(old, now); !gone {
				return true
			} else if job != nil {
				jobs = append(jobs, job)
			}
		}
		s.store.put(sess)
		return false
	}()
	for _, j := range jobs {
		s.sendCallback(j)
	}
	if dup {
		return conflict("A session with this reference already exists for this Merchant-Serial-Number.")
	}
	if s.o.autoDelay > 0 {
		s.autoWalk(c.msn, ref)
	}
	base := s.baseURL(c.r)
	return ok(checkout.InitiateSessionResponse{
		Token:               sess.token,
		CheckoutFrontendURL: base + "/_mock/frontend/v1/",
		PollingURL:          base + checkout.BasePath + "/session/" + url.PathEscape(ref),
	})
}

// createRules applies the business rules the schema cannot express and returns the reference.
func (s *Server) createRules(req *checkout.InitiateSessionRequest) (string, map[string][]string) {
	errs := map[string][]string{}
	add := func(k, msg string) { errs[k] = append(errs[k], msg) }
	var top, tx string
	if req.Reference != nil {
		top = *req.Reference
	}
	if req.Transaction != nil && req.Transaction.Reference != nil {
		tx = *req.Transaction.Reference
	}
	ref := top
	switch {
	case top == "" && tx == "":
		add("Reference", "The Reference field is required (top-level reference, or the deprecated transaction.reference).")
	case top == "":
		ref = tx
	case tx != "" && tx != top:
		add("Transaction.Reference", "When both are given, transaction.reference must equal the top-level reference.")
	}
	if req.Type == checkout.TypeSubscription && req.Transaction == nil && top == "" {
		if _, dup := errs["Reference"]; !dup {
			add("Reference", "A SUBSCRIPTION session without a transaction needs the top-level reference.")
		}
	}
	if req.Transaction != nil {
		cur := req.Transaction.Amount.Currency
		currencyRules(cur, req.Transaction.OrderSummary, "Transaction", add)
		if req.Logistics != nil {
			for i, o := range req.Logistics.FixedOptions {
				if o.Amount != nil && o.Amount.Currency != cur {
					add(fmt.Sprintf("Logistics.FixedOptions[%d].Amount.Currency", i), "The currency must match the transaction's currency "+cur+".")
				}
			}
		}
		if req.Subscription != nil && req.Subscription.Amount.Currency != cur {
			add("Subscription.Amount.Currency", "The currency must match the transaction's currency "+cur+".")
		}
	}
	if req.MerchantInfo != nil {
		if err := s.hosts.checkURL(req.MerchantInfo.CallbackURL); err != nil {
			add("MerchantInfo.CallbackUrl", err.Error())
		}
	}
	if req.Logistics != nil && req.Logistics.DynamicOptionsCallback != nil && *req.Logistics.DynamicOptionsCallback != "" {
		if err := s.hosts.checkURL(*req.Logistics.DynamicOptionsCallback); err != nil {
			add("Logistics.DynamicOptionsCallback", err.Error())
		}
	}
	return ref, errs
}

func currencyRules(cur string, os *checkout.OrderSummary, prefix string, add func(k, msg string)) {
	if os != nil && os.OrderBottomLine.Currency != cur {
		add(prefix+".OrderSummary.OrderBottomLine.Currency", "The currency must match the transaction's currency "+cur+".")
	}
}

// get handles GET /checkout/v3/session/{reference}.
func (s *Server) get(c *call) result {
	return s.readSession(c.msn, c.ref)
}

// update handles the experimental PATCH /checkout/v3/session/{reference}.
func (s *Server) update(c *call) result {
	var req checkout.UpdateSessionRequest
	if err := json.Unmarshal(c.body, &req); err != nil {
		return decodeErr(err)
	}
	errs := map[string][]string{}
	add := func(k, msg string) { errs[k] = append(errs[k], msg) }
	if r := req.Transaction.Reference; r != nil && *r != c.ref {
		add("Transaction.Reference", "When given, transaction.reference must equal the reference in the path.")
	}
	cur := req.Transaction.Amount.Currency
	currencyRules(cur, req.Transaction.OrderSummary, "Transaction", add)
	for i, o := range req.LogisticOptions {
		if o.Amount != nil && o.Amount.Currency != cur {
			add(fmt.Sprintf("LogisticOptions[%d].Amount.Currency", i), "The currency must match the transaction's currency "+cur+".")
		}
	}
	if len(errs) > 0 {
		return validationProblem(errs)
	}
	return s.withSession(c.msn, c.ref, func(sess *session) result {
		if sess.state != checkout.StateSessionCreated {
			return conflict("The session can only be updated while it is SessionCreated; it is " + string(sess.state) + ".")
		}
		t := req.Transaction
		t.Reference = nil
		if sess.req.Transaction != nil {
			t.Reference = sess.req.Transaction.Reference
		}
		sess.req.Transaction = &t
		if req.LogisticOptions != nil {
			if sess.req.Logistics == nil {
				sess.req.Logistics = &checkout.Logistics{}
			}
			sess.req.Logistics.FixedOptions = req.LogisticOptions
		}
		return ok(s.render(sess))
	})
}

// expire handles POST /checkout/v3/session/{reference}/expire.
func (s *Server) expire(c *call) result {
	return s.withSession(c.msn, c.ref, func(sess *session) result {
		switch sess.state {
		case checkout.StateSessionCreated:
			sess.state, sess.endedAt = checkout.StateSessionExpired, s.o.clock.Now()
			if s.o.expiredCallbacks {
				sess.pendingCallback = s.callbackFor(sess)
			}
			return ok(s.render(sess))
		case checkout.StateSessionExpired:
			return ok(s.render(sess))
		default:
			return conflict("The session cannot be expired in state " + string(sess.state) + ".")
		}
	})
}

// render builds the SessionResponse for the session's state: SessionCreated and SessionExpired
// (with no payment) show only the identity fields; from PaymentInitiated on, the payment,
// shipping, billing and (when asked for) user details are included.
func (s *Server) render(sess *session) checkout.SessionResponse {
	out := checkout.SessionResponse{
		SessionID: sess.id, MerchantSerialNumber: checkout.Ptr(sess.msn),
		Reference: sess.ref, SessionState: sess.state,
	}
	if sess.pay == "" {
		return out
	}
	req := sess.req
	out.PaymentMethod = checkout.Ptr(checkout.PaymentMethodWallet)
	if req.Transaction != nil {
		amt := req.Transaction.Amount
		if sess.shipping != nil && sess.shipping.Amount != nil {
			amt.Value += sess.shipping.Amount.Value
		}
		zero := checkout.Amount{Value: 0, Currency: amt.Currency}
		agg := &checkout.TransactionAggregate{AuthorizedAmount: &zero, CapturedAmount: &zero, CancelledAmount: &zero, RefundedAmount: &zero}
		if sess.pay == checkout.PaymentAuthorized {
			a := amt
			agg.AuthorizedAmount = &a
		}
		out.PaymentDetails = &checkout.PaymentDetails{
			Type: checkout.Ptr(checkout.PaymentDetailsTypeWallet), Amount: amt, State: sess.pay, Aggregate: agg,
		}
	}
	if req.Type == checkout.TypeSubscription {
		st := map[checkout.PaymentState]string{checkout.PaymentCreated: "PENDING", checkout.PaymentAuthorized: "ACTIVE", checkout.PaymentTerminated: "STOPPED"}[sess.pay]
		sd := &checkout.ResponseSubscriptionDetails{State: checkout.Ptr(st)}
		if sess.agreementID != "" {
			sd.AgreementID = checkout.Ptr(sess.agreementID)
		}
		out.SubscriptionDetails = sd
	}
	cust := customer(req.PrefillCustomer, sess.address)
	elements := "Full"
	if req.Configuration != nil && req.Configuration.Elements != nil {
		elements = *req.Configuration.Elements
	}
	if elements == "Full" {
		sd := &checkout.ShippingDetails{
			FirstName: &cust.first, LastName: &cust.last, Email: &cust.email, PhoneNumber: &cust.phone,
			StreetAddress: &cust.street, PostalCode: &cust.postal, City: &cust.city, Country: &cust.country,
		}
		if o := sess.shipping; o != nil {
			sd.ShippingMethodID = checkout.Ptr(o.ID)
			if o.Amount != nil {
				a := *o.Amount
				sd.Amount = &a
			}
			if o.Type != nil && *o.Type == "PICKUP_POINT" {
				sd.PickupPoint = &checkout.PickupPoint{
					ID: "mock-pickup-1", Name: "Mock pickup point", Address: cust.street,
					PostalCode: cust.postal, City: cust.city, Country: cust.country,
					OpeningHours: []string{"Mon-Fri 08:00-20:00"},
				}
			}
		}
		out.ShippingDetails = sd
	}
	if elements != "PaymentOnly" {
		out.BillingDetails = &checkout.BillingDetails{
			FirstName: cust.first, LastName: cust.last, Email: cust.email, PhoneNumber: cust.phone,
			StreetAddress: &cust.street, PostalCode: &cust.postal, City: &cust.city, Country: &cust.country,
		}
	}
	if req.Configuration != nil {
		if req.Configuration.RequireUserInfo != nil && *req.Configuration.RequireUserInfo {
			out.UserInfo = &checkout.UserInfo{Sub: "mock-sub-" + sess.id, Email: checkout.Ptr(cust.email)}
		}
		if req.Configuration.CustomConsent != nil && sess.pay == checkout.PaymentAuthorized {
			out.CustomConsentProvided = checkout.Ptr(true)
		}
	}
	return out
}

type person struct {
	first, last, email, phone, street, postal, city, country string
}

// customer is the simulated customer: prefilled values where the merchant gave them, the
// submitted address where there is one, and fixed test values otherwise.
func customer(p *checkout.PrefillCustomer, addr *checkout.Address) person {
	c := person{"Ada", "Lovelace", "ada@example.com", "4791234567", "Robert Levins gate 5", "0154", "Oslo", "NO"}
	if p != nil {
		set := func(dst *string, v *string) {
			if v != nil && *v != "" {
				*dst = *v
			}
		}
		set(&c.first, p.FirstName)
		set(&c.last, p.LastName)
		set(&c.email, p.Email)
		set(&c.phone, p.PhoneNumber)
		set(&c.street, p.StreetAddress)
		set(&c.postal, p.PostalCode)
		set(&c.city, p.City)
		set(&c.country, p.Country)
	}
	if addr != nil {
		c.street, c.postal, c.city, c.country = addr.StreetAddress, addr.PostalCode, addr.Region, addr.Country
	}
	return c
}
