package accounts

import "github.com/switchboard/switchboard/internal/errs"

// Errors callers can match with errors.Is; each carries its public code.
var (
	ErrAccountNotFound  = errs.Coded(errs.NotFound, errs.CodeNotFound, "account not found")
	ErrWrongLogin       = errs.Coded(errs.Unauthenticated, errs.CodeWrongPassword, "wrong login or password")
	ErrLoginLocked      = errs.Coded(errs.RateLimited, errs.CodeLoginLocked, "too many failed logins; try again later")
	ErrSessionExpired   = errs.Coded(errs.Unauthenticated, errs.CodeSessionExpired, "session expired or ended")
	ErrCodeWrong        = errs.Coded(errs.Invalid, errs.CodeVerificationWrong, "verification code is wrong")
	ErrCodeExpired      = errs.Coded(errs.Invalid, errs.CodeVerificationExpired, "verification code expired or already used; request a new one")
	ErrCodeTooOften     = errs.Coded(errs.RateLimited, errs.CodeVerificationTooOften, "verification codes are limited to 1 a minute, 5 an hour and 10 a day per number")
	ErrCodeAttempts     = errs.Coded(errs.Invalid, errs.CodeVerificationAttempts, "verification code checked too often; request a new one")
	ErrPhoneInvalid     = errs.Coded(errs.Invalid, errs.CodePhoneInvalid, "phone must be a valid mobile number (E.164, e.g. +8613800138000)")
	ErrLoginTaken       = errs.Coded(errs.Conflict, errs.CodeEmailTaken, "a login with this email or phone already exists")
	ErrWeakPassword     = errs.Coded(errs.Invalid, errs.CodeWeakPassword, "password must be 10 to 128 characters and not only letters or only digits")
	ErrAccountFrozen    = errs.Coded(errs.Permission, errs.CodeAccountFrozen, "account is frozen")
	ErrAccountClosed    = errs.Coded(errs.Permission, errs.CodeAccountClosed, "account is closed")
	ErrWrongState       = errs.Coded(errs.Conflict, errs.CodeConflict, "account is not in a state that allows this")
	ErrWrongSecret      = errs.Coded(errs.Unauthenticated, errs.CodeWrongSecret, "invalid username or password")
	ErrOperatorNotFound = errs.Coded(errs.NotFound, errs.CodeNotFound, "operator not found")
	ErrNoSecondaryToken = errs.Coded(errs.NotFound, errs.CodeNotFound, "account has no secondary auth token")
	ErrHasherBusy       = errs.Coded(errs.Unavailable, errs.CodeUnavailable, "too many logins in progress; retry shortly")
)
