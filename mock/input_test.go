package mock_test

import (
	"bytes"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/mock"
)

var _ = Describe("Authentication", func() {
	DescribeTable("refuses wrong or missing keys with the Checkout error body",
		func(header, value string, want int, code string) {
			e := newEnv()
			h := headers(mock.DefaultMerchant)
			if value == "" {
				h.Del(header)
			} else {
				h.Set(header, value)
			}
			r := e.send(http.MethodPost, "/checkout/v3/session", paymentBody(newRef(), loopbackCallback), h)
			Expect(r.status).To(Equal(want), "body: %s", r.body)
			Expect(r.problem().ErrorCode).To(Equal(code))
			Expect(e.m.SessionCount()).To(BeZero())
		},
		Entry("wrong client_id", checkout.HeaderClientID, "nope", 401, checkout.ErrUnauthorized),
		Entry("missing client_id", checkout.HeaderClientID, "", 401, checkout.ErrUnauthorized),
		Entry("wrong client_secret", checkout.HeaderClientSecret, "nope", 401, checkout.ErrUnauthorized),
		Entry("missing client_secret", checkout.HeaderClientSecret, "", 401, checkout.ErrUnauthorized),
		Entry("wrong subscription key", checkout.HeaderSubscriptionKey, "nope", 403, checkout.ErrForbidden),
		Entry("missing subscription key", checkout.HeaderSubscriptionKey, "", 403, checkout.ErrForbidden),
		Entry("an MSN the keys do not cover", checkout.HeaderMSN, "999999", 403, checkout.ErrForbidden),
		Entry("missing MSN", checkout.HeaderMSN, "", 403, checkout.ErrForbidden),
	)

	It("refuses one merchant's keys for another merchant's MSN", func() {
		other := mock.Merchant{ClientID: "other-id", ClientSecret: "other-secret", SubscriptionKey: "other-sub", MSN: "654321"}
		e := newEnv(mock.WithMerchants(mock.DefaultMerchant, other))
		h := headers(mock.DefaultMerchant)
		h.Set(checkout.HeaderMSN, other.MSN)
		r := e.send(http.MethodGet, "/checkout/v3/session/"+newRef(), nil, h)
		Expect(r.status).To(Equal(http.StatusForbidden))
	})

	It("accepts a partner's keys for every MSN they cover", func() {
		a := mock.Merchant{ClientID: "partner", ClientSecret: "s", SubscriptionKey: "k", MSN: "111111"}
		b := a
		b.MSN = "222222"
		e := newEnv(mock.WithMerchants(a, b))
		Expect(e.send(http.MethodPost, "/checkout/v3/session", paymentBody(newRef(), loopbackCallback), headers(a)).status).To(Equal(http.StatusOK))
		Expect(e.send(http.MethodPost, "/checkout/v3/session", paymentBody(newRef(), loopbackCallback), headers(b)).status).To(Equal(http.StatusOK))
	})
})

var _ = Describe("Bad input", func() {
	DescribeTable("answers each class of bad request with the right 4xx and the error body",
		func(mutate func(h http.Header, body []byte) []byte, want int, code, key string) {
			e := newEnv()
			h := headers(mock.DefaultMerchant)
			body := mutate(h, paymentBody(newRef(), loopbackCallback))
			r := e.send(http.MethodPost, "/checkout/v3/session", body, h)
			Expect(r.status).To(Equal(want), "body: %s", r.body)
			p := r.problem()
			Expect(p.ErrorCode).To(Equal(code))
			Expect(*p.Status).To(Equal(want))
			if key != "" {
				Expect(p.Errors).To(HaveKey(key), "errors: %v", p.Errors)
			}
			Expect(e.m.SessionCount()).To(BeZero())
		},
		Entry("malformed JSON", func(_ http.Header, _ []byte) []byte { return []byte(`{"type":`) }, 400, checkout.ErrValidation, "Body"),
		Entry("a JSON array", func(_ http.Header, _ []byte) []byte { return []byte(`[1,2]`) }, 400, checkout.ErrValidation, "Body"),
		Entry("a JSON string", func(_ http.Header, _ []byte) []byte { return []byte(`"x"`) }, 400, checkout.ErrValidation, "Body"),
		Entry("JSON null", func(_ http.Header, _ []byte) []byte { return []byte(`null`) }, 400, checkout.ErrValidation, "Body"),
		Entry("an empty body", func(_ http.Header, _ []byte) []byte { return []byte{} }, 400, checkout.ErrValidation, "Body"),
		Entry("text/plain", func(h http.Header, b []byte) []byte { h.Set("Content-Type", "text/plain"); return b }, 415, checkout.ErrUnsupportedMedia, ""),
		Entry("no content type", func(h http.Header, b []byte) []byte { h.Del("Content-Type"); return b }, 415, checkout.ErrUnsupportedMedia, ""),
		Entry("a form", func(h http.Header, b []byte) []byte {
			h.Set("Content-Type", "application/x-www-form-urlencoded")
			return []byte("a=b")
		}, 415, checkout.ErrUnsupportedMedia, ""),
		Entry("an oversized body", func(_ http.Header, b []byte) []byte {
			return bytes.Replace(b, []byte(`"One pair of socks"`), []byte(`"`+strings.Repeat("x", 70<<10)+`"`), 1)
		}, 413, checkout.ErrTooLarge, ""),
		Entry("a negative amount", func(_ http.Header, b []byte) []byte {
			return bytes.Replace(b, []byte(`"value":49900`), []byte(`"value":-1`), 1)
		}, 400, checkout.ErrValidation, "Transaction.Amount.Value"),
		Entry("a decimal amount", func(_ http.Header, b []byte) []byte {
			return bytes.Replace(b, []byte(`"value":49900`), []byte(`"value":499.5`), 1)
		}, 400, checkout.ErrValidation, "Transaction.Amount.Value"),
		Entry("an amount beyond int64", func(_ http.Header, b []byte) []byte {
			return bytes.Replace(b, []byte(`"value":49900`), []byte(`"value":99999999999999999999999`), 1)
		}, 400, checkout.ErrValidation, "Transaction.Amount.Value"),
		Entry("an unknown currency", func(_ http.Header, b []byte) []byte {
			return bytes.Replace(b, []byte(`"currency":"NOK"`), []byte(`"currency":"SEK"`), 1)
		}, 400, checkout.ErrValidation, "Transaction.Amount.Currency"),
		Entry("a too short description", func(_ http.Header, b []byte) []byte {
			return bytes.Replace(b, []byte(`"One pair of socks"`), []byte(`"ab"`), 1)
		}, 400, checkout.ErrValidation, "Transaction.PaymentDescription"),
		Entry("a bad logistics option", func(_ http.Header, b []byte) []byte {
			return bytes.Replace(b, []byte(`"id":"posten-pickup"`), []byte(`"id":""`), 1)
		}, 400, checkout.ErrValidation, "Logistics.FixedOptions[0].Id"),
		Entry("a missing merchantInfo", func(_ http.Header, _ []byte) []byte {
			return []byte(`{"type":"PAYMENT","reference":"ckk-test-missing","transaction":{"amount":{"value":100,"currency":"NOK"},"paymentDescription":"Socks"}}`)
		}, 400, checkout.ErrValidation, "MerchantInfo"),
		Entry("no reference at all", func(_ http.Header, b []byte) []byte {
			return bytes.Replace(b, []byte(`"reference":"ckk-test-`), []byte(`"ignored":"ckk-test-`), 1)
		}, 400, checkout.ErrValidation, "Reference"),
		Entry("two different references", func(_ http.Header, b []byte) []byte {
			return bytes.Replace(b, []byte(`"transaction":{`), []byte(`"transaction":{"reference":"another-ref-1",`), 1)
		}, 400, checkout.ErrValidation, "Transaction.Reference"),
		Entry("mixed currencies", func(_ http.Header, b []byte) []byte {
			return bytes.Replace(b, []byte(`"value":4900,"currency":"NOK"`), []byte(`"value":4900,"currency":"EUR"`), 1)
		}, 400, checkout.ErrValidation, "Logistics.FixedOptions[0].Amount.Currency"),
		Entry("a non-loopback callback host", func(_ http.Header, b []byte) []byte {
			return bytes.Replace(b, []byte(loopbackCallback), []byte("http://merchant.example.com/cb"), 1)
		}, 400, checkout.ErrValidation, "MerchantInfo.CallbackUrl"),
		Entry("a private-network callback IP", func(_ http.Header, b []byte) []byte {
			return bytes.Replace(b, []byte(loopbackCallback), []byte("http://10.0.0.7/cb"), 1)
		}, 400, checkout.ErrValidation, "MerchantInfo.CallbackUrl"),
		Entry("a Vipps-System header over 30 characters", func(h http.Header, b []byte) []byte {
			h.Set(checkout.HeaderSystemName, strings.Repeat("n", 31))
			return b
		}, 400, checkout.ErrValidation, checkout.HeaderSystemName),
		Entry("an Idempotency-Key over 128 characters", func(h http.Header, b []byte) []byte {
			h.Set(checkout.HeaderIdempotencyKey, strings.Repeat("k", 129))
			return b
		}, 400, checkout.ErrValidation, checkout.HeaderIdempotencyKey),
	)

	It("accepts text/json and application/*+json bodies", func() {
		e := newEnv()
		for _, ct := range []string{"text/json", "application/vnd.acme+json", "application/json; charset=utf-8"} {
			h := headers(mock.DefaultMerchant)
			h.Set("Content-Type", ct)
			r := e.send(http.MethodPost, "/checkout/v3/session", paymentBody(newRef(), loopbackCallback), h)
			Expect(r.status).To(Equal(http.StatusOK), "%s: %s", ct, r.body)
		}
	})

	It("honours WithMaxBody", func() {
		e := newEnv(mock.WithMaxBody(256))
		r := e.create(paymentBody(newRef(), loopbackCallback))
		Expect(r.status).To(Equal(http.StatusRequestEntityTooLarge))
		Expect(r.problem().ErrorCode).To(Equal(checkout.ErrTooLarge))
	})

	It("rejects a bad PATCH body and a reference mismatch", func() {
		e := newEnv()
		ref := e.into(stCreated)
		r := e.patch(ref, []byte(`{"transaction":{"amount":{"value":1,"currency":"NOK"}}}`))
		Expect(r.status).To(Equal(http.StatusBadRequest))
		Expect(r.problem().Errors).To(HaveKey("Transaction.PaymentDescription"))
		r = e.patch(ref, []byte(`{"transaction":{"reference":"some-other-ref","amount":{"value":1,"currency":"NOK"},"paymentDescription":"abc"}}`))
		Expect(r.status).To(Equal(http.StatusBadRequest))
		Expect(r.problem().Errors).To(HaveKey("Transaction.Reference"))
	})

	It("rejects a reference path parameter over 50 characters", func() {
		e := newEnv()
		r := e.get(strings.Repeat("r", 51))
		Expect(r.status).To(Equal(http.StatusBadRequest))
		Expect(r.problem().Errors).To(HaveKey("Reference"))
	})

	It("tolerates an empty JSON object on expire and refuses a non-JSON one with 400 (expire declares no 415)", func() {
		e := newEnv()
		ref := e.into(stCreated)
		h := headers(mock.DefaultMerchant)
		Expect(e.send(http.MethodPost, "/checkout/v3/session/"+ref+"/expire", []byte(`{}`), h).status).To(Equal(http.StatusOK))
		h.Set("Content-Type", "text/plain")
		r := e.send(http.MethodPost, "/checkout/v3/session/"+ref+"/expire", []byte(`hello`), h)
		Expect(r.status).To(Equal(http.StatusBadRequest))
		Expect(r.problem().Errors).To(HaveKey("Body"))
	})

	Context("Vipps-System-* headers", func() {
		withoutSystemHeaders := func() http.Header {
			h := headers(mock.DefaultMerchant)
			for _, n := range checkout.SystemHeaders {
				h.Del(n)
			}
			return h
		}
		It("accepts their absence by default", func() {
			e := newEnv()
			Expect(e.send(http.MethodPost, "/checkout/v3/session", paymentBody(newRef(), loopbackCallback), withoutSystemHeaders()).status).To(Equal(http.StatusOK))
		})
		It("requires them in strict mode", func() {
			e := newEnv(mock.WithStrictSystemHeaders(true))
			r := e.send(http.MethodPost, "/checkout/v3/session", paymentBody(newRef(), loopbackCallback), withoutSystemHeaders())
			Expect(r.status).To(Equal(http.StatusBadRequest))
			p := r.problem()
			for _, n := range checkout.SystemHeaders {
				Expect(p.Errors).To(HaveKey(n))
			}
			r = e.send(http.MethodGet, "/checkout/v3/session/"+newRef(), nil, withoutSystemHeaders())
			Expect(r.status).To(Equal(http.StatusBadRequest))
		})
	})
})
