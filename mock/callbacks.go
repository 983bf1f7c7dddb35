package mock

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/checkoutkit/checkoutkit/checkout"
)

// hostPolicy decides where callbacks may go: loopback always, plus the hosts, IPs and CIDR
// prefixes given with WithCallbackHosts.
type hostPolicy struct {
	names    map[string]bool
	prefixes []netip.Prefix
}

// errHostNotAllowed is returned for a callback target outside the policy.
var errHostNotAllowed = errors.New("callback host not allowed")

func newHostPolicy(hosts []string) *hostPolicy {
	p := &hostPolicy{names: map[string]bool{}}
	for _, h := range hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" {
			continue
		}
		if pf, err := netip.ParsePrefix(h); err == nil {
			p.prefixes = append(p.prefixes, pf.Masked())
			continue
		}
		if ip, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil {
			p.prefixes = append(p.prefixes, netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()))
			continue
		}
		p.names[strings.TrimSuffix(h, ".")] = true
	}
	return p
}

func (p *hostPolicy) ipAllowed(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.IsLoopback() {
		return true
	}
	for _, pf := range p.prefixes {
		if pf.Contains(ip) {
			return true
		}
	}
	return false
}

// hostAllowed checks a URL host (a name or an IP literal) before any resolution.
func (p *hostPolicy) hostAllowed(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if ip, err := netip.ParseAddr(host); err == nil {
		return p.ipAllowed(ip)
	}
	return host == "localhost" || p.names[host]
}

// checkURL is the create-time check of a callback URL.
func (p *hostPolicy) checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return fmt.Errorf("the callback URL must be an absolute http or https URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("the callback URL must use http or https")
	}
	if !p.hostAllowed(u.Hostname()) {
		return fmt.Errorf("the mock only calls back to loopback or allowed hosts (--callback-allow-host); %q is not allowed", u.Hostname())
	}
	return nil
}

// client builds the callback HTTP client. Its dialer checks the host name before resolution and
// every resolved IP address in Control, right before connect, so a name that resolves somewhere
// unexpected (DNS rebinding, a poisoned /etc/hosts) is still refused. No proxy is used: a proxy
// would move the real connection out of reach of that check.
func (p *hostPolicy) client(timeout time.Duration) *http.Client {
	dialContext := func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if !p.hostAllowed(host) {
			return nil, fmt.Errorf("dial %s: %w", host, errHostNotAllowed)
		}
		d := net.Dialer{Timeout: 5 * time.Second, Control: p.control(host)}
		return d.DialContext(ctx, network, addr)
	}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         dialContext,
			MaxIdleConnsPerHost: 8,
			IdleConnTimeout:     30 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// control returns the dialer Control func for a connection to host: it runs after resolution,
// right before connect, with the IP address actually dialled. An explicitly allowed name vouches
// for whatever it resolves to; localhost and IP literals must land on loopback or an allowed
// prefix.
func (p *hostPolicy) control(host string) func(network, address string, c syscall.RawConn) error {
	named := strings.TrimSuffix(strings.ToLower(host), ".")
	trustName := p.names[named] && named != "localhost"
	return func(_, address string, _ syscall.RawConn) error {
		h, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		ip, err := netip.ParseAddr(h)
		if err != nil {
			return fmt.Errorf("dial %s: %w", address, errHostNotAllowed)
		}
		if !trustName && !p.ipAllowed(ip) {
			return fmt.Errorf("dial %s (%s): %w", host, ip, errHostNotAllowed)
		}
		return nil
	}
}

// callbackFor prepares the payment callback of a session that just reached an end state. It
// must be called with the store lock held; the body is rendered now, as GET would show it.
func (s *Server) callbackFor(sess *session) *callbackJob {
	if sess.req.MerchantInfo == nil || sess.req.MerchantInfo.CallbackURL == "" {
		return nil
	}
	return &callbackJob{
		url: sess.req.MerchantInfo.CallbackURL, token: sess.req.MerchantInfo.CallbackAuthorizationToken,
		ref: sess.ref, msn: sess.msn, body: marshal(s.render(sess)),
	}
}

// sendCallback delivers a payment callback asynchronously: one attempt plus up to the configured
// retries on any non-2xx or transport error, waiting base, 2*base, 4*base... between attempts.
func (s *Server) sendCallback(j *callbackJob) {
	if j == nil {
		return
	}
	s.goBackground(func() {
		for attempt := 0; attempt <= s.o.callbackRetries; attempt++ {
			if attempt > 0 {
				wait := s.o.callbackBackoff << (attempt - 1)
				t := time.NewTimer(wait)
				select {
				case <-t.C:
				case <-s.ctx.Done():
					t.Stop()
					s.log.Warn("payment callback abandoned at shutdown", "msn", j.msn, "reference", j.ref, "attempts", attempt)
					return
				}
			}
			status, err := s.postCallback(j)
			if err == nil && status >= 200 && status < 300 {
				s.log.Info("payment callback delivered", "msn", j.msn, "reference", j.ref, "status", status, "attempt", attempt+1)
				return
			}
			s.log.Warn("payment callback failed", "msn", j.msn, "reference", j.ref, "status", status, "attempt", attempt+1, "error", errString(err))
		}
	})
}

// errString renders a callback error without its URL: merchants put tokens in callback query
// strings, and logs must never carry secrets.
func errString(err error) string {
	if err == nil {
		return ""
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + ": " + ue.Err.Error()
	}
	return err.Error()
}

func (s *Server) postCallback(j *callbackJob) (int, error) {
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, j.url, bytes.NewReader(j.body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(checkout.HeaderAuthorization, j.token)
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = ioCopyDiscard(resp)
	return resp.StatusCode, nil
}
