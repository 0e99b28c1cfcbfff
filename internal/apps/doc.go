// Package apps holds the apps an account owns, the capabilities (im, sms, voice, mq) opened on each,
// and each app's App Key and App Secret for RongCloud-style request signatures.
package apps
