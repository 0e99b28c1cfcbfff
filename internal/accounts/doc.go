// Package accounts holds the tenants of the platform and the people who act for them: sign-up with
// an SMS verification code, passwords, console sessions, login records, operators, account states
// and the account's Twilio-shaped auth tokens.
package accounts
