#!/usr/bin/perl
# A customer's ESME (Net::SMPP transceiver) asking Switchboard's SMPP server for some delivery
# receipts and not others.
# Usage: esme_receipts.pl HOST PORT SYSTEM_ID PASSWORD RECEIPTS DEST:REGISTERED_DELIVERY...
# Submits one message per DEST:REGISTERED_DELIVERY, in order (at most 8 unanswered), and reads
# until every submit_sm is answered and RECEIPTS receipts have come, then 2 s more for receipts
# that should not come.
# Prints one line per event for the Go test (internal/app/smpp_receipts_test.go) to check:
#   SUBMIT <index> <status> <message_id>
#   RECEIPT <receipted_message_id> <message_state>
use strict;
use warnings;
use IO::Select;
use Net::SMPP;
use Time::HiRes qw(time);

$| = 1;
my ($host, $port, $sysid, $pass, $want, @msgs) = @ARGV;
my $deadline = time + 30;

my ($smpp, $resp) = Net::SMPP->new_transceiver($host, port => $port, system_id => $sysid, password => $pass);
die "connect: $!" unless $smpp && $resp;
exit 1 if $resp->{status};

my %index;
my ($sent, $answered, $receipts, $grace) = (0, 0, 0, undef);
my $sel = IO::Select->new($smpp);
while (1) {
    # At most 8 unanswered: the session's window is 10.
    while ($sent < @msgs && $sent - $answered < 8) {
        my ($dest, $rd) = split /:/, $msgs[$sent], 2;
        my $seq = $smpp->submit_sm(
            async => 1, source_addr => 'Acme', destination_addr => $dest,
            registered_delivery => $rd, data_coding => 0, short_message => "receipt test $sent",
        );
        $index{$seq} = $sent++;
    }
    if (!defined $grace && $answered == @msgs && $receipts >= $want) {
        $grace = time + 2;
    }
    my $until = defined $grace ? $grace : $deadline;
    last if time >= $until;
    next unless $sel->can_read($until - time);
    my $pdu = $smpp->read_pdu() or die "read_pdu: " . ${*$smpp}{smpperror};
    if ($pdu->{cmd} == Net::SMPP::CMD_submit_sm_resp) {
        printf "SUBMIT %d %d %s\n", $index{$pdu->{seq}}, $pdu->{status}, $pdu->{message_id} // '';
        $answered++;
    } elsif ($pdu->{cmd} == Net::SMPP::CMD_deliver_sm) {
        my $rid = $pdu->{receipted_message_id} // '';
        $rid =~ s/\0.*//s;
        my $state = defined $pdu->{message_state} ? unpack('C', $pdu->{message_state}) : -1;
        printf "RECEIPT %s %d\n", $rid, $state;
        $receipts++;
        $smpp->deliver_sm_resp(seq => $pdu->{seq}, message_id => '');
    } elsif ($pdu->{cmd} == Net::SMPP::CMD_enquire_link) {
        $smpp->enquire_link_resp(seq => $pdu->{seq});
    }
}
print "TIMEOUT\n" unless defined $grace;
$smpp->unbind();
