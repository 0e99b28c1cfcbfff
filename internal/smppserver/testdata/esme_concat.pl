#!/usr/bin/perl
# A customer's ESME (Net::SMPP transceiver) sending concatenated messages to Switchboard's SMPP
# server and receiving an inbound message of its app's number.
# Usage: esme_concat.pl HOST PORT SYSTEM_ID PASSWORD MO_PARTS
# Prints one line per event for the Go test (internal/app/smpp_concat_test.go) to check:
#   BIND <session> <status>
#   PART <round> <seq> <status> <message_id>   a part's submit_sm_resp; round 1: a 3-part message
#                                              (8-bit reference) sent 1, 3, 2; round 2: the same
#                                              message again on a new session; round 3: a 2-part
#                                              message with a 16-bit reference
#   BAD <status>                               a part whose header numbers part 1 of 0
#   RECEIPT <receipted_message_id> <message_state>
#   SUBMITTED                                  every answer is in: the test sends the inbound message
#   MO <esm_class> <source> <dest> <short_message in hex>
#   UNBIND <status>
# Session 1 stays bound until the first message's receipt has come; the script ends once session 2
# has the second message's receipt and MO_PARTS inbound deliver_sm.
use strict;
use warnings;
use Net::SMPP;

$| = 1;
my ($host, $port, $sysid, $pass, $mo_parts) = @ARGV;
local $SIG{ALRM} = sub { print "TIMEOUT\n"; exit 2 };
alarm 40;

my ($receipts, $mos) = (0, 0);

# handle answers what the server sends unasked and reports it.
sub handle {
    my ($smpp, $pdu) = @_;
    if ($pdu->{cmd} == Net::SMPP::CMD_deliver_sm) {
        if ($pdu->{esm_class} & 0x04) {
            my $rid = $pdu->{receipted_message_id} // '';
            $rid =~ s/\0.*//s;
            my $state = defined $pdu->{message_state} ? unpack('C', $pdu->{message_state}) : -1;
            printf "RECEIPT %s %d\n", $rid, $state;
            $receipts++;
        } else {
            printf "MO %d %s %s %s\n", $pdu->{esm_class}, $pdu->{source_addr}, $pdu->{destination_addr}, unpack('H*', $pdu->{short_message});
            $mos++;
        }
        $smpp->deliver_sm_resp(seq => $pdu->{seq}, message_id => '');
    } elsif ($pdu->{cmd} == Net::SMPP::CMD_enquire_link) {
        $smpp->enquire_link_resp(seq => $pdu->{seq});
    } else {
        printf "OTHER %d\n", $pdu->{cmd};
    }
}

# submit sends one submit_sm and waits for its answer, handling whatever comes meanwhile (a
# receipt may overtake an answer, and Net::SMPP's synchronous mode would drop it).
sub submit {
    my ($smpp, $udh, $text) = @_;
    my $seq = $smpp->submit_sm(
        async => 1, source_addr => 'Acme', destination_addr => '8613800138000',
        esm_class => 0x40, registered_delivery => 1, data_coding => 0, short_message => $udh . $text,
    );
    while (1) {
        my $pdu = $smpp->read_pdu() or die "read_pdu: " . ${*$smpp}{smpperror};
        return $pdu if $pdu->{cmd} == Net::SMPP::CMD_submit_sm_resp && $pdu->{seq} == $seq;
        handle($smpp, $pdu);
    }
}

sub bind_session {
    my ($n) = @_;
    my ($smpp, $resp) = Net::SMPP->new_transceiver($host, port => $port, system_id => $sysid, password => $pass);
    die "connect: $!" unless $smpp && $resp;
    printf "BIND %d %d\n", $n, $resp->{status};
    exit 1 if $resp->{status};
    return $smpp;
}

sub wait_until {
    my ($smpp, $done) = @_;
    while (!$done->()) {
        my $pdu = $smpp->read_pdu() or die "read_pdu: " . ${*$smpp}{smpperror};
        handle($smpp, $pdu);
    }
}

my %text = (1 => 'A' x 153, 2 => 'B' x 153, 3 => 'C' x 10);
my $smpp = bind_session(1);
for my $seq (1, 3, 2) {
    my $r = submit($smpp, pack('C6', 5, 0, 3, 0x2A, 3, $seq), $text{$seq});
    printf "PART 1 %d %d %s\n", $seq, $r->{status}, $r->{message_id};
}
my $bad = submit($smpp, pack('C6', 5, 0, 3, 0x2B, 0, 1), 'bad');
printf "BAD %d\n", $bad->{status};
wait_until($smpp, sub { $receipts >= 1 });
my $resp = $smpp->unbind();
printf "UNBIND %d\n", $resp ? $resp->{status} : -1;
close $smpp;

$smpp = bind_session(2);
for my $seq (1, 2, 3) {
    my $r = submit($smpp, pack('C6', 5, 0, 3, 0x2A, 3, $seq), $text{$seq});
    printf "PART 2 %d %d %s\n", $seq, $r->{status}, $r->{message_id};
}
for my $seq (1, 2) {
    my $r = submit($smpp, pack('C7', 6, 8, 4, 0x12, 0x34, 2, $seq), ($seq == 1 ? 'D' x 153 : 'E' x 5));
    printf "PART 3 %d %d %s\n", $seq, $r->{status}, $r->{message_id};
}
print "SUBMITTED\n";
wait_until($smpp, sub { $receipts >= 2 && $mos >= $mo_parts });
$resp = $smpp->unbind();
printf "UNBIND %d\n", $resp ? $resp->{status} : -1;
