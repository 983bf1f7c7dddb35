package main

import (
	"fmt"
	"io"

	"github.com/checkoutkit/checkoutkit/client"
)

// Environment variables the contract and load commands read. Credentials come only from here,
// never from flags, so they stay out of shell history and process lists. deploy/ and the README
// use the same names.
const (
	envClientID        = "VIPPS_CLIENT_ID"
	envClientSecret    = "VIPPS_CLIENT_SECRET"
	envSubscriptionKey = "VIPPS_SUBSCRIPTION_KEY"
	envMSN             = "VIPPS_MSN"
	envSystemName      = "VIPPS_SYSTEM_NAME"
	envSystemVersion   = "VIPPS_SYSTEM_VERSION"
	envPluginName      = "VIPPS_PLUGIN_NAME"
	envPluginVersion   = "VIPPS_PLUGIN_VERSION"
	envCallbackToken   = "CHECKOUTKIT_CALLBACK_TOKEN"
)

// Default Vipps-System-Plugin-Name of each command.
const (
	pluginContract = "checkoutkit-contract"
	pluginLoad     = "checkoutkit-load"
)

// envSettings is what a command reads from the environment.
type envSettings struct {
	// Credentials are the merchant keys, as set (possibly incomplete).
	Credentials client.Credentials
	// System is the Vipps-System-* header values; each unset one has its default.
	System client.SystemInfo
	// Missing lists the credential variables that are not set, in a fixed order.
	Missing []string
}

// readEnv reads the credentials and system info from getenv (os.Getenv in the commands, a map
// in tests). Each system value falls back to its own default, so setting only
// VIPPS_SYSTEM_NAME keeps the other three headers filled in.
func readEnv(getenv func(string) string, pluginDefault string) envSettings {
	s := envSettings{
		Credentials: client.Credentials{
			ClientID:             getenv(envClientID),
			ClientSecret:         getenv(envClientSecret),
			SubscriptionKey:      getenv(envSubscriptionKey),
			MerchantSerialNumber: getenv(envMSN),
		},
		System: client.SystemInfo{
			Name:          envOr(getenv, envSystemName, client.DefaultSystemName),
			Version:       envOr(getenv, envSystemVersion, version),
			PluginName:    envOr(getenv, envPluginName, pluginDefault),
			PluginVersion: envOr(getenv, envPluginVersion, version),
		},
	}
	for _, kv := range [][2]string{{envClientID, s.Credentials.ClientID}, {envClientSecret, s.Credentials.ClientSecret},
		{envSubscriptionKey, s.Credentials.SubscriptionKey}, {envMSN, s.Credentials.MerchantSerialNumber}} {
		if kv[1] == "" {
			s.Missing = append(s.Missing, kv[0])
		}
	}
	return s
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// envHelp lists the environment variables for a command's --help.
func envHelp(w io.Writer, pluginDefault string, callbackToken bool) {
	fmt.Fprintf(w, `
Credentials for a --target come only from the environment (never from flags):
  %-27s client_id
  %-27s client_secret (secret)
  %-27s Ocp-Apim-Subscription-Key (secret)
  %-27s Merchant-Serial-Number
  %-27s Vipps-System-Name (default %s)
  %-27s Vipps-System-Version (default the toolkit version)
  %-27s Vipps-System-Plugin-Name (default %s)
  %-27s Vipps-System-Plugin-Version (default the toolkit version)
`, envClientID, envClientSecret, envSubscriptionKey, envMSN, envSystemName, client.DefaultSystemName,
		envSystemVersion, envPluginName, pluginDefault, envPluginVersion)
	if callbackToken {
		fmt.Fprintf(w, "  %-27s callbackAuthorizationToken to hand out (secret; default random per run)\n", envCallbackToken)
	}
}
