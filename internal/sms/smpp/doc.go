// Package smpp speaks SMPP 3.4: a byte-exact codec for the PDUs Switchboard needs, GSM 03.38 and
// UCS-2 text encoding with concatenation, delivery receipts, and the two session roles built on
// them: a Client that binds to a carrier's SMSC and a Server that accepts customers' binds (and
// serves as the built-in loopback carrier).
//
// It uses the standard library only, because no Go SMPP library is available to us and the codec
// faces untrusted peers: every decoder bounds its allocation by the PDU length it was given and
// returns an error instead of panicking, and fuzz targets sit beside each parser.
//
// Constant names follow the specification (ESME_ROK, TagMessageState, ...) so they can be
// grepped against it.
package smpp
