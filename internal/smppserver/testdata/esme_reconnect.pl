#!/usr/bin/perl
# A customer's ESME (Net::SMPP) that unbinds before its message's receipt comes and binds again
# as a receiver for it.
# Usage: esme_reconnect.pl HOST PORT SYSTEM_ID PASSWORD
# Prints one line per event for the Go test (internal/app/smpp_receipts_test.go) to check:
#   SUBMIT <status> <message_id>
#   UNBIND <status>                       session 1 ends, without reading or answering the receipt
#   RECEIPT <receipted_message_id> <message_state>   on session 2, bound 2 s later
use strict;
use warnings;
use IO::Select;
use Net::SMPP;
use Time::HiRes qw(time);

$| = 1;
my ($host, $port, $sysid, $pass) = @ARGV;

my ($smpp, $resp) = Net::SMPP->new_transceiver($host, port => $port, system_id => $sysid, password => $pass);
die "connect: $!" unless $smpp && $resp;
exit 1 if $resp->{status};
$resp = $smpp->submit_sm(
    source_addr => 'Acme', destination_addr => '8613800138000',
    registered_delivery => 1, data_coding => 0, short_message => 'receipt after a reconnect',
);
printf "SUBMIT %d %s\n", $resp->{status}, $resp->{message_id} // '';
$resp = $smpp->unbind();
printf "UNBIND %d\n", $resp ? $resp->{status} : -1;
close $smpp;

sleep 2;
($smpp, $resp) = Net::SMPP->new_receiver($host, port => $port, system_id => $sysid, password => $pass);
die "connect: $!" unless $smpp && $resp;
exit 1 if $resp->{status};
# Net::SMPP's reads cancel any alarm, so the wait is bounded with select.
my $deadline = time + 10;
my $sel = IO::Select->new($smpp);
while (1) {
    if (time >= $deadline || !$sel->can_read($deadline - time)) {
        print "TIMEOUT\n";
        exit 2;
    }
    my $pdu = $smpp->read_pdu() or die "read_pdu: " . ${*$smpp}{smpperror};
    if ($pdu->{cmd} == Net::SMPP::CMD_deliver_sm) {
        my $rid = $pdu->{receipted_message_id} // '';
        $rid =~ s/\0.*//s;
        my $state = defined $pdu->{message_state} ? unpack('C', $pdu->{message_state}) : -1;
        printf "RECEIPT %s %d\n", $rid, $state;
        $smpp->deliver_sm_resp(seq => $pdu->{seq}, message_id => '');
        last;
    } elsif ($pdu->{cmd} == Net::SMPP::CMD_enquire_link) {
        $smpp->enquire_link_resp(seq => $pdu->{seq});
    }
}
$smpp->unbind();
