package api

import (
	"context"
	"net/http"

	"github.com/switchboard/switchboard/internal/accounts"
	"github.com/switchboard/switchboard/internal/httpx"
)

// table is every REST route of the platform, in one place.
func (a *API) table() []Route {
	const created, noContent = http.StatusCreated, http.StatusNoContent
	freeze := func(s *accounts.Service) func(context.Context, string, string) error { return s.Freeze }
	unfreeze := func(s *accounts.Service) func(context.Context, string, string) error { return s.Unfreeze }
	return []Route{
		// Operations.
		{Method: "GET", Path: "/healthz", Access: Public, Summary: "Liveness: the process serves HTTP", Handle: a.healthz},
		{Method: "GET", Path: "/readyz", Access: Public, Summary: "Readiness: database and bus reachable, not draining", Handle: a.readyz},
		{Method: "GET", Path: "/metrics", Access: Public, Summary: "Prometheus metrics", Handle: a.metrics},
		{Method: "GET", Path: "/openapi.json", Access: Public, Summary: "This document", Handle: a.openAPIDoc},
		{Method: "GET", Path: "/docs/errors", Access: Public, Summary: "Every public error code", Out: httpx.List[errorCodeView]{}, Handle: a.errorCodes},

		// Sign-up and the developer console session.
		{Method: "POST", Path: "/v1/signup/code", Access: Public, Summary: "Send a sign-up verification code by SMS", In: sendCodeInput{}, Status: http.StatusAccepted, Handle: a.sendSignupCode},
		{Method: "POST", Path: "/v1/signup", Access: Public, Summary: "Create an account with a verification code", In: signupInput{}, Out: signupView{}, Status: created, Handle: a.signup},
		{Method: "POST", Path: "/v1/login", Access: Public, Summary: "Log in to the console (sets a session cookie)", In: loginInput{}, Out: loginView{}, Handle: a.login},
		{Method: "POST", Path: "/v1/logout", Access: Public, Summary: "End the console session", Status: noContent, Handle: a.logout},
		{Method: "POST", Path: "/v1/password", Access: Tenant, Summary: "Change the password (ends every other session)", In: passwordInput{}, Status: noContent, Handle: a.changePassword},

		// The account and its credentials.
		{Method: "GET", Path: "/v1/account", Access: Tenant, Summary: "The authenticated account", Out: accountView{}, Handle: a.getAccount},
		{Method: "POST", Path: "/v1/account/auth-token", Access: Tenant, Summary: "Rotate the auth token (the old one becomes secondary)", Out: tokenView{}, Status: created, Handle: a.rotateToken},
		{Method: "DELETE", Path: "/v1/account/auth-token/secondary", Access: Tenant, Summary: "Delete the secondary auth token", Status: noContent, Handle: a.deleteSecondaryToken},
		{Method: "GET", Path: "/v1/login-records", Access: Tenant, Summary: "Login records of the account, newest first", Out: httpx.List[loginRecordView]{}, Handle: a.listLoginRecords},
		{Method: "GET", Path: "/v1/operation-log", Access: Tenant, Summary: "Operation log of the account, newest first", Out: httpx.List[operationView]{}, Handle: a.listOperations},

		// The account's message box.
		{Method: "GET", Path: "/v1/notices", Access: Tenant, Summary: "Notices to the account, newest first, with the unread count (?unread=true filters)", Out: noticeList{}, Handle: a.listNotices},
		{Method: "POST", Path: "/v1/notices/{id}/read", Access: Tenant, Summary: "Mark a notice read", Status: noContent, Handle: a.readNotice, Owned: "id"},
		{Method: "POST", Path: "/v1/notices/read", Access: Tenant, Summary: "Mark every notice read", Status: noContent, Handle: a.readAllNotices},

		// Money.
		{Method: "GET", Path: "/v1/balance", Access: Tenant, Summary: "The account's balance: cash, promo credit, held and available", Out: balanceView{}, Handle: a.getBalance},

		{Method: "GET", Path: "/v1/plan", Access: Tenant, Summary: "The account's plan and its entitlements", Out: planView{}, Handle: a.getPlan},
		{Method: "GET", Path: "/v1/usage", Access: Tenant, Summary: "Usage statistics by day, product, app and meter (?product, app_sid, from, to)", Out: httpx.List[statView]{}, Handle: a.usageStats},
		{Method: "GET", Path: "/v1/usage/records", Access: Tenant, Summary: "Detailed usage records (cursor pages; same filters)", Out: usagePage{}, Handle: a.usageRecords},
		{Method: "GET", Path: "/v1/usage/records.csv", Access: Tenant, Summary: "Detailed usage records as CSV", Handle: a.usageCSV},
		{Method: "GET", Path: "/v1/bills", Access: Tenant, Summary: "Closed cycle bills (post-paid products)", Out: billPage{}, Handle: a.listBills},
		{Method: "GET", Path: "/v1/bills/{id}", Access: Tenant, Summary: "A bill", Out: billView{}, Handle: a.getBill, Owned: "id"},
		{Method: "GET", Path: "/v1/bills/{id}/items.csv", Access: Tenant, Summary: "A bill's line items as CSV", Handle: a.billCSV, Owned: "id"},
		{Method: "GET", Path: "/v1/alerts", Access: Tenant, Summary: "Balance-low alerts", Out: httpx.List[alertView]{}, Handle: a.listAlerts},
		{Method: "POST", Path: "/v1/alerts", Access: Tenant, Summary: "Alert (notice and event) once each time the available balance falls below a threshold", In: alertInput{}, Out: alertView{}, Status: created, Handle: a.createAlert},
		{Method: "DELETE", Path: "/v1/alerts/{id}", Access: Tenant, Summary: "Delete a balance alert", Status: noContent, Handle: a.deleteAlert, Owned: "id"},

		{Method: "POST", Path: "/v1/invoices", Access: Tenant, Summary: "Request an invoice for cash paid (before the 25th: this month; later: next month)", In: invoiceInput{}, Out: invoiceView{}, Status: created, Handle: a.requestInvoice},
		{Method: "GET", Path: "/v1/invoices", Access: Tenant, Summary: "Invoice requests and issued invoices", Out: httpx.List[invoiceView]{}, Handle: a.listInvoices},
		{Method: "GET", Path: "/v1/invoices/{id}", Access: Tenant, Summary: "Fetch an invoice", Out: invoiceView{}, Handle: a.getInvoice, Owned: "id"},
		{Method: "GET", Path: "/v1/invoices/{id}/document", Access: Tenant, Summary: "Download an issued invoice (HTML)", Handle: a.invoiceDocument, Owned: "id"},

		// Apps and capabilities.
		{Method: "POST", Path: "/v1/apps", Access: Tenant, Summary: "Create an app (the App Secret is shown once)", In: createAppInput{}, Out: appView{}, Status: created, Handle: a.createApp},
		{Method: "GET", Path: "/v1/apps", Access: Tenant, Summary: "List apps", Out: httpx.List[appView]{}, Handle: a.listApps},
		{Method: "GET", Path: "/v1/apps/{sid}", Access: Tenant, Summary: "Fetch an app", Out: appView{}, Handle: a.getApp, Owned: "sid"},
		{Method: "POST", Path: "/v1/apps/{sid}", Access: Tenant, Summary: "Rename an app", In: updateAppInput{}, Out: appView{}, Handle: a.updateApp, Owned: "sid"},
		{Method: "DELETE", Path: "/v1/apps/{sid}", Access: Tenant, Summary: "Delete an app", Status: noContent, Handle: a.deleteApp, Owned: "sid"},
		{Method: "POST", Path: "/v1/apps/{sid}/secret", Access: Tenant, Summary: "Rotate the App Secret (shown once)", Out: appView{}, Status: created, Handle: a.rotateAppSecret, Owned: "sid"},
		{Method: "POST", Path: "/v1/apps/{sid}/smpp-password", Access: Tenant, Summary: "Issue the app's SMPP password (system_id is the App Key; shown once)", Out: smppCredentialView{}, Status: created, Handle: a.setSMPPPassword, Owned: "sid"},
		{Method: "GET", Path: "/v1/apps/{sid}/capabilities", Access: Tenant, Summary: "List an app's capabilities", Out: httpx.List[capabilityView]{}, Handle: a.listCapabilities, Owned: "sid"},
		{Method: "POST", Path: "/v1/apps/{sid}/capabilities", Access: Tenant, Summary: "Open a capability by accepting its terms", In: openCapabilityInput{}, Out: capabilityView{}, Status: created, Handle: a.openCapability, Owned: "sid"},
		{Method: "DELETE", Path: "/v1/apps/{sid}/capabilities/{capability}", Access: Tenant, Summary: "Close a capability", Status: noContent, Handle: a.closeCapability, Owned: "sid"},

		// Moderation keyword lists of an app.
		{Method: "GET", Path: "/v1/apps/{sid}/keywords", Access: Tenant, Summary: "The app's keyword list", Out: httpx.List[keywordView]{}, Handle: a.listKeywords, Owned: "sid"},
		{Method: "POST", Path: "/v1/apps/{sid}/keywords", Access: Tenant, Summary: "Add words to the app's keyword list (block, replace or review)", In: keywordInput{}, Out: httpx.List[keywordView]{}, Handle: a.addKeywords, Owned: "sid"},
		{Method: "POST", Path: "/v1/apps/{sid}/keywords/delete", Access: Tenant, Summary: "Remove words from the app's keyword list", In: keywordDeleteInput{}, Out: httpx.List[keywordView]{}, Handle: a.deleteKeywords, Owned: "sid"},
		{Method: "POST", Path: "/v1/apps/{sid}/keywords/check", Access: Tenant, Summary: "Check a text against the platform's and the app's lists", In: checkInput{}, Out: verdictView{}, Handle: a.checkText, Owned: "sid"},

		// RongCloud-compatible server API (App-Key signatures, form bodies, RongCloud's error shape).
		{Method: "POST", Path: "/rc/sensitiveword/add.json", Access: Tenant, Summary: "RongCloud: add a sensitive word (replaceWord given: replace, else block)", Out: rcOK{}, Handle: a.rcAddSensitiveWord, Render: renderRC},
		{Method: "POST", Path: "/rc/sensitiveword/batch/delete.json", Access: Tenant, Summary: "RongCloud: delete sensitive words", Out: rcOK{}, Handle: a.rcDeleteSensitiveWords, Render: renderRC},
		{Method: "POST", Path: "/rc/sensitiveword/list.json", Access: Tenant, Summary: "RongCloud: list sensitive words", Out: rcWordList{}, Handle: a.rcListSensitiveWords, Render: renderRC},

		// SMS.
		{Method: "POST", Path: "/v1/sms/messages", Access: Tenant, Summary: "Send an SMS to one number, or one each to up to 1,000 (207 with per-number results)", In: smsSendInput{}, Out: smsView{}, Status: created, Handle: a.sendSMS, Traffic: true},
		{Method: "GET", Path: "/v1/sms/messages", Access: Tenant, Summary: "List SMS (to, from, sent_after, sent_before; cursor pages)", Out: httpx.List[smsView]{}, Handle: a.listSMS},
		{Method: "GET", Path: "/v1/sms/messages/{sid}", Access: Tenant, Summary: "An SMS with its status history", Out: smsView{}, Handle: a.getSMS, Owned: "sid"},
		{Method: "GET", Path: "/v1/sms/opt-outs", Access: Tenant, Summary: "Handsets that opted out of the account's marketing messages (replied R, TD, STOP...; cursor pages)", Out: httpx.List[smsOptOutView]{}, Handle: a.listSMSOptOuts},
		{Method: "DELETE", Path: "/v1/sms/opt-outs/{number}", Access: Tenant, Summary: "Let the account's marketing messages reach a number again", Status: noContent, Handle: a.deleteSMSOptOut, Owned: "number"},
		{Method: "POST", Path: "/v1/sms/messages/{sid}/cancel", Access: Tenant, Summary: "Cancel a scheduled SMS (its reservation is released)", Out: smsView{}, Handle: a.cancelSMS, Owned: "sid"},
		{Method: "POST", Path: "/v1/apps/{sid}/sms/signatures", Access: Tenant, Summary: "Submit an SMS signature (【Acme】) for review", In: signatureInput{}, Out: signatureView{}, Status: created, Handle: a.submitSignature, Owned: "sid"},
		{Method: "POST", Path: "/v1/apps/{sid}/sms/signatures/{id}", Access: Tenant, Summary: "Change a signature (back to review: neither text can be used until it is approved)", In: signatureInput{}, Out: signatureView{}, Handle: a.submitSignature, Owned: "sid"},
		{Method: "GET", Path: "/v1/apps/{sid}/sms/signatures", Access: Tenant, Summary: "An app's SMS signatures and their review state", Out: httpx.List[signatureView]{}, Handle: a.listSignatures, Owned: "sid"},
		{Method: "POST", Path: "/v1/apps/{sid}/sms/templates", Access: Tenant, Summary: "Submit an SMS template with ${variables} for review", In: templateInput{}, Out: templateView{}, Status: created, Handle: a.submitTemplate, Owned: "sid"},
		{Method: "POST", Path: "/v1/apps/{sid}/sms/templates/{id}", Access: Tenant, Summary: "Change a template (back to review)", In: templateInput{}, Out: templateView{}, Handle: a.submitTemplate, Owned: "sid"},
		{Method: "GET", Path: "/v1/apps/{sid}/sms/templates", Access: Tenant, Summary: "An app's SMS templates and their review state", Out: httpx.List[templateView]{}, Handle: a.listTemplates, Owned: "sid"},
		{Method: "GET", Path: "/v1/sms/stats", Access: Tenant, Summary: "SMS per day: accepted (outbound), received (inbound), sent, delivered, failed, delivery rate, spend", Out: httpx.List[smsStatView]{}, Handle: a.smsStats},
		{Method: "GET", Path: "/v1/sms/numbers", Access: Tenant, Summary: "The account's inbound numbers, short codes and sender ids (?app_sid, number; cursor pages)", Out: httpx.List[smsNumberView]{}, Handle: a.listSMSNumbers},
		{Method: "GET", Path: "/v1/sms/numbers/{sid}", Access: Tenant, Summary: "One of the account's inbound numbers", Out: smsNumberView{}, Handle: a.getSMSNumber, Owned: "sid"},
		{Method: "GET", Path: "/v1/apps/{sid}/sms/numbers", Access: Tenant, Summary: "An app's inbound numbers", Out: httpx.List[smsNumberView]{}, Handle: a.listAppSMSNumbers, Owned: "sid"},
		{Method: "POST", Path: "/v1/apps/{sid}/sms/numbers/{number}", Access: Tenant, Summary: "Set an app's number's friendly_name, sms_url (incoming messages as Twilio's form; \"\" stops them), sms_method (POST or GET), sms_fallback_url or sms_fallback_method (where the form goes when sms_url fails)", In: smsNumberUpdate{}, Out: smsNumberView{}, Handle: a.updateSMSNumber, Owned: "sid"},

		// Webhooks: endpoints per app, the delivery log, replays.
		{Method: "POST", Path: "/v1/apps/{sid}/webhooks", Access: Tenant, Summary: "Add a webhook endpoint (the whsec_ secret is shown once)", In: endpointInput{}, Out: endpointView{}, Status: created, Handle: a.createEndpoint, Owned: "sid"},
		{Method: "GET", Path: "/v1/apps/{sid}/webhooks", Access: Tenant, Summary: "An app's webhook endpoints", Out: httpx.List[endpointView]{}, Handle: a.listEndpoints, Owned: "sid"},
		{Method: "GET", Path: "/v1/webhooks/{id}", Access: Tenant, Summary: "Fetch a webhook endpoint", Out: endpointView{}, Handle: a.getEndpoint, Owned: "id"},
		{Method: "POST", Path: "/v1/webhooks/{id}", Access: Tenant, Summary: "Update a webhook endpoint (url, description, event_types, enabled)", In: endpointUpdateInput{}, Out: endpointView{}, Handle: a.updateEndpoint, Owned: "id"},
		{Method: "DELETE", Path: "/v1/webhooks/{id}", Access: Tenant, Summary: "Delete a webhook endpoint", Status: noContent, Handle: a.deleteEndpoint, Owned: "id"},
		{Method: "POST", Path: "/v1/webhooks/{id}/rotate-secret", Access: Tenant, Summary: "Rotate the signing secret; both are sent during the overlap", In: rotateInput{}, Out: endpointView{}, Handle: a.rotateEndpointSecret, Owned: "id"},
		{Method: "POST", Path: "/v1/webhooks/{id}/test", Access: Tenant, Summary: "Send a test event; reports status and latency only", Out: testView{}, Handle: a.testEndpoint, Owned: "id"},
		{Method: "GET", Path: "/v1/webhooks/{id}/deliveries", Access: Tenant, Summary: "An endpoint's deliveries (?status)", Out: httpx.List[deliveryView]{}, Handle: a.listDeliveries, Owned: "id"},
		{Method: "GET", Path: "/v1/webhook-deliveries/{id}/attempts", Access: Tenant, Summary: "Every attempt of a delivery: request, status, latency, first 1 KB of the response", Out: httpx.List[attemptView]{}, Handle: a.listAttempts, Owned: "id"},
		{Method: "POST", Path: "/v1/webhook-deliveries/{id}/replay", Access: Tenant, Summary: "Send a delivery again with the same webhook-id", Out: deliveryView{}, Handle: a.replayDelivery, Owned: "id"},

		// API keys.
		{Method: "POST", Path: "/v1/keys", Access: Tenant, Summary: "Create an API key (the secret is shown once)", In: createKeyInput{}, Out: keyView{}, Status: created, Handle: a.createKey},
		{Method: "GET", Path: "/v1/keys", Access: Tenant, Summary: "List API keys", Out: httpx.List[keyView]{}, Handle: a.listKeys},
		{Method: "GET", Path: "/v1/keys/{sid}", Access: Tenant, Summary: "Fetch an API key", Out: keyView{}, Handle: a.getKey, Owned: "sid"},
		{Method: "DELETE", Path: "/v1/keys/{sid}", Access: Tenant, Summary: "Revoke an API key", Status: noContent, Handle: a.revokeKey, Owned: "sid"},

		// Twilio-compatible subset.
		{Method: "GET", Path: "/2010-04-01/Accounts/{AccountSid}", Access: Tenant, Summary: "Twilio: fetch the account", Out: twilioAccount{}, Handle: a.twilioFetchAccount, Owned: "AccountSid"},

		{Method: "GET", Path: "/2010-04-01/Accounts/{AccountSid}/Balance.json", Access: Tenant, Summary: "Twilio: the account balance", Out: twilioBalance{}, Handle: a.twilioGetBalance, Owned: "AccountSid"},

		{Method: "POST", Path: "/2010-04-01/Accounts/{AccountSid}/Messages.json", Access: Tenant, Summary: "Twilio: send an SMS (To, From, Body, StatusCallback; SendAt with ScheduleType=fixed, ValidityPeriod, MaxPrice)", Out: twilioMessage{}, Status: created, Handle: a.twilioCreateMessage, Owned: "AccountSid", Traffic: true},
		{Method: "GET", Path: "/2010-04-01/Accounts/{AccountSid}/Messages.json", Access: Tenant, Summary: "Twilio: list messages (To, From, DateSent filters; Twilio paging)", Out: twilioMessagePage{}, Handle: a.twilioListMessages, Owned: "AccountSid"},
		{Method: "GET", Path: "/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}", Access: Tenant, Summary: "Twilio: fetch a message", Out: twilioMessage{}, Handle: a.twilioFetchMessage, Owned: "AccountSid"},
		{Method: "POST", Path: "/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}", Access: Tenant, Summary: "Twilio: redact a sent message (Body=\"\") or cancel a scheduled one (Status=canceled)", Out: twilioMessage{}, Handle: a.twilioUpdateMessage, Owned: "AccountSid"},
		{Method: "DELETE", Path: "/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}", Access: Tenant, Summary: "Twilio: delete a message", Status: noContent, Handle: a.twilioDeleteMessage, Owned: "AccountSid"},
		{Method: "GET", Path: "/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}/Media.json", Access: Tenant, Summary: "Twilio: a message's media (always none: no MMS)", Out: twilioMediaPage{}, Handle: a.twilioListMedia, Owned: "AccountSid"},
		{Method: "GET", Path: "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json", Access: Tenant, Summary: "Twilio: list the account's numbers (PhoneNumber filter; Twilio paging)", Out: twilioIncomingNumberPage{}, Handle: a.twilioListIncomingNumbers, Owned: "AccountSid"},
		{Method: "GET", Path: "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}", Access: Tenant, Summary: "Twilio: fetch a number", Out: twilioIncomingNumber{}, Handle: a.twilioFetchIncomingNumber, Owned: "AccountSid"},
		{Method: "POST", Path: "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}", Access: Tenant, Summary: "Twilio: set a number's SmsUrl, SmsMethod (POST or GET), SmsFallbackUrl, SmsFallbackMethod or FriendlyName", Out: twilioIncomingNumber{}, Handle: a.twilioUpdateIncomingNumber, Owned: "AccountSid"},
		{Method: "GET", Path: "/2010-04-01/Accounts/{AccountSid}/Usage/Records.json", Access: Tenant, Summary: "Twilio: usage records for the whole period (StartDate, EndDate, Category)", Out: twilioUsagePage{}, Handle: a.twilioUsage("all"), Owned: "AccountSid"},
		{Method: "GET", Path: "/2010-04-01/Accounts/{AccountSid}/Usage/Records/AllTime.json", Access: Tenant, Summary: "Twilio: usage records since the account was created", Out: twilioUsagePage{}, Handle: a.twilioUsage("all_time"), Owned: "AccountSid"},
		{Method: "GET", Path: "/2010-04-01/Accounts/{AccountSid}/Usage/Records/Daily.json", Access: Tenant, Summary: "Twilio: usage records per day (the last 30 days)", Out: twilioUsagePage{}, Handle: a.twilioUsage("daily"), Owned: "AccountSid"},
		{Method: "GET", Path: "/2010-04-01/Accounts/{AccountSid}/Usage/Records/Monthly.json", Access: Tenant, Summary: "Twilio: usage records per month (the last 12 months)", Out: twilioUsagePage{}, Handle: a.twilioUsage("monthly"), Owned: "AccountSid"},
		{Method: "GET", Path: "/2010-04-01/Accounts/{AccountSid}/Usage/Records/Yearly.json", Access: Tenant, Summary: "Twilio: usage records per year", Out: twilioUsagePage{}, Handle: a.twilioUsage("yearly"), Owned: "AccountSid"},
		{Method: "GET", Path: "/2010-04-01/Accounts/{AccountSid}/Usage/Records/Today.json", Access: Tenant, Summary: "Twilio: usage records of today (UTC)", Out: twilioUsagePage{}, Handle: a.twilioUsage("today"), Owned: "AccountSid"},
		{Method: "GET", Path: "/2010-04-01/Accounts/{AccountSid}/Usage/Records/Yesterday.json", Access: Tenant, Summary: "Twilio: usage records of yesterday (UTC)", Out: twilioUsagePage{}, Handle: a.twilioUsage("yesterday"), Owned: "AccountSid"},
		{Method: "GET", Path: "/2010-04-01/Accounts/{AccountSid}/Usage/Records/ThisMonth.json", Access: Tenant, Summary: "Twilio: usage records of this month so far", Out: twilioUsagePage{}, Handle: a.twilioUsage("this_month"), Owned: "AccountSid"},
		{Method: "GET", Path: "/2010-04-01/Accounts/{AccountSid}/Usage/Records/LastMonth.json", Access: Tenant, Summary: "Twilio: usage records of last month", Out: twilioUsagePage{}, Handle: a.twilioUsage("last_month"), Owned: "AccountSid"},
		{Method: "POST", Path: "/2010-04-01/Accounts/{AccountSid}/Usage/Triggers.json", Access: Tenant, Summary: "Twilio: create a usage trigger (CallbackUrl, TriggerValue, UsageCategory; CallbackMethod, FriendlyName, Recurring, TriggerBy)", Out: twilioUsageTrigger{}, Status: created, Handle: a.twilioCreateTrigger, Owned: "AccountSid"},
		{Method: "GET", Path: "/2010-04-01/Accounts/{AccountSid}/Usage/Triggers.json", Access: Tenant, Summary: "Twilio: list usage triggers (Recurring, TriggerBy, UsageCategory filters)", Out: twilioUsageTriggerPage{}, Handle: a.twilioListTriggers, Owned: "AccountSid"},
		{Method: "GET", Path: "/2010-04-01/Accounts/{AccountSid}/Usage/Triggers/{Sid}", Access: Tenant, Summary: "Twilio: fetch a usage trigger", Out: twilioUsageTrigger{}, Handle: a.twilioFetchTrigger, Owned: "AccountSid"},
		{Method: "POST", Path: "/2010-04-01/Accounts/{AccountSid}/Usage/Triggers/{Sid}", Access: Tenant, Summary: "Twilio: change a usage trigger's CallbackUrl, CallbackMethod or FriendlyName", Out: twilioUsageTrigger{}, Handle: a.twilioUpdateTrigger, Owned: "AccountSid"},
		{Method: "DELETE", Path: "/2010-04-01/Accounts/{AccountSid}/Usage/Triggers/{Sid}", Access: Tenant, Summary: "Twilio: delete a usage trigger", Status: noContent, Handle: a.twilioDeleteTrigger, Owned: "AccountSid"},

		// Operator API.
		{Method: "POST", Path: "/admin/v1/login", Access: Public, Summary: "Operator login (sets the operator session cookie)", In: loginInput{}, Out: loginView{}, Handle: a.operatorLogin},
		{Method: "POST", Path: "/admin/v1/logout", Access: Public, Summary: "End the operator session", Status: noContent, Handle: a.operatorLogout},
		{Method: "GET", Path: "/admin/v1/accounts", Access: Operator, Summary: "List accounts (filter by status)", Out: httpx.List[accountView]{}, Handle: a.adminListAccounts},
		{Method: "GET", Path: "/admin/v1/accounts/{sid}", Access: Operator, Summary: "Fetch an account", Out: accountView{}, Handle: a.adminGetAccount},
		{Method: "POST", Path: "/admin/v1/accounts/{sid}/freeze", Access: Operator, Summary: "Freeze an account with a reason", In: reasonInput{}, Out: accountView{}, Handle: a.adminAccountState(freeze)},
		{Method: "POST", Path: "/admin/v1/accounts/{sid}/unfreeze", Access: Operator, Summary: "Unfreeze an account with a reason", In: reasonInput{}, Out: accountView{}, Handle: a.adminAccountState(unfreeze)},
		{Method: "POST", Path: "/admin/v1/accounts/{sid}/close", Access: Operator, Summary: "Close an account for good", In: reasonInput{}, Out: accountView{}, Handle: a.adminAccountState(a.closeAccount)},
		{Method: "POST", Path: "/admin/v1/accounts/{sid}/payments", Access: Operator, Summary: "Record a payment (idempotent on its reference), with an optional bonus", In: PaymentInput{}, Out: balanceView{}, Status: created, Handle: a.adminRecordPayment},
		{Method: "GET", Path: "/admin/v1/accounts/{sid}/limits", Access: Operator, Summary: "An account's credit limit (how far real-time services may overdraw cash) and arrears limit (how far post-paid bills may)", Out: limitsView{}, Handle: a.adminGetLimits},
		{Method: "POST", Path: "/admin/v1/accounts/{sid}/limits", Access: Operator, Summary: "Set an account's credit and arrears limits (decimals; 0 <= credit <= arrears; a field left out keeps its value)", In: LimitsInput{}, Out: limitsView{}, Handle: a.adminSetLimits},
		{Method: "POST", Path: "/admin/v1/incidents", Access: Operator, Summary: "Record an incident and grant SLA credits (the day's unavailable minutes, overlapping incidents counted once, × the day's charges / 1440); the same product, start and end again returns the first record (200) and pays nothing twice", In: incidentInput{}, Out: incidentView{}, Status: created, Handle: a.adminRecordIncident},
		{Method: "GET", Path: "/admin/v1/incidents/{id}", Access: Operator, Summary: "An incident and its credits", Out: incidentView{}, Handle: a.adminGetIncident},
		{Method: "POST", Path: "/admin/v1/incidents/{id}/grant", Access: Operator, Summary: "Finish granting an incident's credits (idempotent)", Out: incidentView{}, Handle: a.adminGrantIncident},
		{Method: "POST", Path: "/admin/v1/rate-cards", Access: Operator, Summary: "Publish a new rate card version (never edited in place)", In: rateCardInput{}, Out: rateCardView{}, Status: created, Handle: a.adminPublishRateCard},
		{Method: "GET", Path: "/admin/v1/rate-cards", Access: Operator, Summary: "Rate card versions (?product, meter)", Out: httpx.List[rateCardView]{}, Handle: a.adminRateCards},
		{Method: "POST", Path: "/admin/v1/accounts/{sid}/refunds", Access: Operator, Summary: "Refund unspent cash (idempotent on its reference; promo credit is not refundable); naming the payment refunded takes its bonus back in proportion", In: refundInput{}, Out: balanceView{}, Status: created, Handle: a.adminRefund},
		{Method: "POST", Path: "/admin/v1/plans", Access: Operator, Summary: "Create or replace a plan and its entitlements", In: planInputBody{}, Out: planView{}, Handle: a.adminPutPlan},
		{Method: "POST", Path: "/admin/v1/promotions", Access: Operator, Summary: "Create a free quota or discount on a product's bills (promotions do not stack)", In: promotionInput{}, Out: promotionView{}, Status: created, Handle: a.adminCreatePromotion},
		{Method: "GET", Path: "/admin/v1/promotions", Access: Operator, Summary: "Promotions in creation order (?account_sid: its own and those for every account; product; active=true: not ended yet)", Out: httpx.List[promotionView]{}, Handle: a.adminListPromotions},
		{Method: "POST", Path: "/admin/v1/promotions/{id}/end", Access: Operator, Summary: "Stop a promotion now (one not started yet never applies); it stays listed, since bills name it", Out: promotionView{}, Handle: a.adminEndPromotion},
		{Method: "POST", Path: "/admin/v1/accounts/{sid}/plan", Access: Operator, Summary: "Move an account to a plan from a time (default now)", In: planInput{}, Status: noContent, Handle: a.adminSetPlan},
		{Method: "GET", Path: "/admin/v1/invoices", Access: Operator, Summary: "Invoice requests of every account (?status=requested)", Out: httpx.List[invoiceView]{}, Handle: a.adminListInvoices},
		{Method: "POST", Path: "/admin/v1/invoices/{id}/void", Access: Operator, Summary: "Void an invoice, requested or issued (a credit note), with a reason: its amount is invoiceable, and refundable, again", In: reasonInput{}, Out: invoiceView{}, Handle: a.adminVoidInvoice},
		{Method: "POST", Path: "/admin/v1/invoices/{id}/issue", Access: Operator, Summary: "Issue a due invoice with the next number", Out: invoiceView{}, Handle: a.adminIssueInvoice},
		{Method: "GET", Path: "/admin/v1/apps", Access: Operator, Summary: "List apps of every account (filter by status)", Out: httpx.List[appView]{}, Handle: a.adminListApps},
		{Method: "POST", Path: "/admin/v1/apps/{sid}/review", Access: Operator, Summary: "Approve or reject a production app", In: reviewInput{}, Out: appView{}, Handle: a.adminReviewApp},
		{Method: "POST", Path: "/admin/v1/apps/{sid}/suspend", Access: Operator, Summary: "Suspend an app with a reason", In: reasonInput{}, Out: appView{}, Handle: a.adminSuspendApp},
		{Method: "POST", Path: "/admin/v1/apps/{sid}/resume", Access: Operator, Summary: "Resume a suspended (or abuse-frozen) app with a reason", In: reasonInput{}, Out: appView{}, Handle: a.adminResumeApp},
		{Method: "GET", Path: "/admin/v1/abuse-findings", Access: Operator, Summary: "What abuse detection found, with evidence (?open=true: unresolved)", Out: httpx.List[findingView]{}, Handle: a.adminAbuseFindings},
		{Method: "POST", Path: "/admin/v1/apps/{sid}/capabilities/{capability}/review", Access: Operator, Summary: "Approve or reject a capability application", In: reviewInput{}, Out: httpx.List[capabilityView]{}, Handle: a.adminReviewCapability},
		{Method: "GET", Path: "/admin/v1/capability-settings", Access: Operator, Summary: "Capability review policies and terms versions", Out: httpx.List[capabilitySettingView]{}, Handle: a.adminCapabilitySettings},
		{Method: "POST", Path: "/admin/v1/capability-settings/{capability}", Access: Operator, Summary: "Require (or not) review for a capability", In: capabilitySettingInput{}, Out: httpx.List[capabilitySettingView]{}, Handle: a.adminSetCapabilitySetting},
		{Method: "GET", Path: "/admin/v1/verification-codes", Access: Operator, Summary: "Verification codes sent by the log notifier (embedded default)", Out: httpx.List[accounts.SentCode]{}, Handle: a.adminVerificationCodes},
		{Method: "POST", Path: "/admin/v1/announcements", Access: Operator, Summary: "Write an announcement to one account's or every account's message box", In: announcementInput{}, Out: announcementView{}, Status: created, Handle: a.adminAnnounce},
		{Method: "GET", Path: "/admin/v1/sms/signatures", Access: Operator, Summary: "SMS signatures (?status=pending)", Out: httpx.List[signatureView]{}, Handle: a.adminSignatures},
		{Method: "POST", Path: "/admin/v1/sms/signatures/{id}/review", Access: Operator, Summary: "Approve or reject (with a note) an SMS signature", In: reviewInput{}, Status: noContent, Handle: a.adminReviewSignature},
		{Method: "GET", Path: "/admin/v1/sms/templates", Access: Operator, Summary: "SMS templates (?status=pending)", Out: httpx.List[templateView]{}, Handle: a.adminTemplates},
		{Method: "POST", Path: "/admin/v1/sms/templates/{id}/review", Access: Operator, Summary: "Approve or reject (with a note) an SMS template", In: reviewInput{}, Status: noContent, Handle: a.adminReviewTemplate},
		{Method: "GET", Path: "/admin/v1/apps/{sid}/sms-raw-text", Access: Operator, Summary: "Whether the app may send SMS text of its own (--sms-raw-text)", Out: rawTextView{}, Handle: a.adminRawText},
		{Method: "PUT", Path: "/admin/v1/apps/{sid}/sms-raw-text", Access: Operator, Summary: "Allow or forbid the app SMS text of its own under --sms-raw-text=review", In: rawTextInput{}, Out: rawTextView{}, Handle: a.adminSetRawText},
		{Method: "GET", Path: "/admin/v1/sms/held", Access: Operator, Summary: "SMS held for review by a review keyword", Out: httpx.List[smsView]{}, Handle: a.adminHeldSMS},
		{Method: "POST", Path: "/admin/v1/sms/{sid}/approve", Access: Operator, Summary: "Send a held SMS", Out: smsView{}, Handle: a.adminApproveSMS},
		{Method: "POST", Path: "/admin/v1/sms/{sid}/reject", Access: Operator, Summary: "Cancel a held SMS (its reservation is released)", In: reasonInput{}, Out: smsView{}, Handle: a.adminRejectSMS},
		{Method: "POST", Path: "/admin/v1/sms/numbers", Access: Operator, Summary: "Assign a phone number, short code or sender id to an app (its inbound messages become the app's)", In: smsNumberInput{}, Out: smsNumberView{}, Status: created, Handle: a.adminAssignNumber},
		{Method: "GET", Path: "/admin/v1/sms/numbers", Access: Operator, Summary: "Assigned numbers of every account (?account_sid, app_sid, number; cursor pages)", Out: httpx.List[smsNumberView]{}, Handle: a.adminListNumbers},
		{Method: "DELETE", Path: "/admin/v1/sms/numbers/{sid}", Access: Operator, Summary: "Take a number away from its app (messages to it are dropped from then on)", Status: noContent, Handle: a.adminReleaseNumber},
		{Method: "GET", Path: "/admin/v1/keywords", Access: Operator, Summary: "The platform-wide keyword list", Out: httpx.List[keywordView]{}, Handle: a.listKeywords},
		{Method: "POST", Path: "/admin/v1/keywords", Access: Operator, Summary: "Add words to the platform-wide keyword list", In: keywordInput{}, Out: httpx.List[keywordView]{}, Handle: a.addKeywords},
		{Method: "POST", Path: "/admin/v1/keywords/delete", Access: Operator, Summary: "Remove words from the platform-wide keyword list", In: keywordDeleteInput{}, Out: httpx.List[keywordView]{}, Handle: a.deleteKeywords},
		{Method: "GET", Path: "/admin/v1/rate-limits", Access: Operator, Summary: "Rate-limit overrides per app or account", Out: httpx.List[rateLimitView]{}, Handle: a.adminRateLimits},
		{Method: "POST", Path: "/admin/v1/rate-limits", Access: Operator, Summary: "Set a rate-limit override for an app or account and class", In: rateLimitInput{}, Out: httpx.List[rateLimitView]{}, Handle: a.adminSetRateLimit},
		{Method: "GET", Path: "/admin/v1/operation-log", Access: Operator, Summary: "Operation log of every account (filter by account_sid)", Out: httpx.List[operationView]{}, Handle: a.adminOperations},
	}
}
