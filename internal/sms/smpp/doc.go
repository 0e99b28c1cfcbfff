// Package smpp speaks SMPP 3.4: a byte-exact codec for the PDUs Switchboard needs, GSM 03.38 and
// UCS-2 text encoding with concatenation, delivery receipts, and the two session roles built on
// them: a Client that binds to a carrier's SMSC and a Server that accepts customers' binds (and
// serves as the built-in loopback carrier).
//
// It uses the standard library only, because no Go SMPP library is available to us and the codec
// faces untrusted peers: every decoder bounds its allocation by the PDU length it was given
// (command_length is checked against a maximum before anything is read), returns an error instead
// of panicking, and has a fuzz target beside it.
//
// Sending through a carrier:
//
//	c, _ := smpp.NewClient(smpp.ClientConfig{Addr: "smsc:2775", SystemID: "id", Password: "pw",
//		Rate: 50, Handler: onDeliver, Logger: log})
//	go c.Run(ctx)
//	parts, _ := smpp.SubmitParts(smpp.SM{SourceAddr: from, DestinationAddr: to,
//		RegisteredDelivery: smpp.RegisteredDeliveryFinal}, body, ref)
//	for _, p := range parts {
//		msgID, err := c.Submit(ctx, smpp.Message{ID: ourID, SM: p})
//		...
//	}
//
// Serving customers: NewServer with an Authenticator and a SubmitHandler, Serve on a listener,
// and push receipts with Session.Deliver(ctx, receipt.DeliverSM(...)).
//
// Constant names follow the specification (ESME_ROK, TagMessageState, ...) so they can be
// grepped against it.
package smpp
