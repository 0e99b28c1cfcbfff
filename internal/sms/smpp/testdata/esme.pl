#!/usr/bin/perl
# A customer's ESME (Net::SMPP transceiver) against Switchboard's SMPP server.
# Usage: esme.pl HOST PORT SYSTEM_ID GOOD_PASSWORD BAD_PASSWORD
# Prints one line per event for the Go test (server_perl_test.go) to check:
#   BIND_BAD <status>     bind with the wrong password
#   BIND_OK <status>      bind with the right one
#   SUBMIT <status> <message_id>
#   RECEIPT <esm_class> <receipted_message_id> <message_state> <short_message>
#   UNBIND <status>
use strict;
use warnings;
use Net::SMPP;

$| = 1;
my ($host, $port, $sysid, $good, $bad) = @ARGV;
local $SIG{ALRM} = sub { print "TIMEOUT\n"; exit 2 };
alarm 20;

my ($smpp, $resp) = Net::SMPP->new_transceiver($host, port => $port, system_id => $sysid, password => $bad);
die "connect: $!" unless $smpp;
printf "BIND_BAD %d\n", $resp ? $resp->{status} : -1;
close $smpp;

($smpp, $resp) = Net::SMPP->new_transceiver($host, port => $port, system_id => $sysid, password => $good);
die "connect: $!" unless $smpp && $resp;
printf "BIND_OK %d\n", $resp->{status};
exit 1 if $resp->{status};

# Asynchronous from here: the receipt may overtake the submit_sm_resp, and Net::SMPP's
# synchronous mode would drop it.
my $seq = $smpp->submit_sm(
    async => 1,
    source_addr => '10690000', destination_addr => '8613800138000',
    registered_delivery => 1, data_coding => 0, short_message => 'Hello from Net::SMPP',
);
my ($submitted, $receipted) = (0, 0);
while (!($submitted && $receipted)) {
    my $pdu = $smpp->read_pdu() or die "read_pdu: " . ${*$smpp}{smpperror};
    if ($pdu->{cmd} == Net::SMPP::CMD_submit_sm_resp && $pdu->{seq} == $seq) {
        printf "SUBMIT %d %s\n", $pdu->{status}, $pdu->{message_id};
        $submitted = 1;
    } elsif ($pdu->{cmd} == Net::SMPP::CMD_deliver_sm) {
        my $rid = $pdu->{receipted_message_id} // '';
        $rid =~ s/\0.*//s;
        my $state = defined $pdu->{message_state} ? unpack('C', $pdu->{message_state}) : -1;
        printf "RECEIPT %d %s %d %s\n", $pdu->{esm_class}, $rid, $state, $pdu->{short_message};
        $smpp->deliver_sm_resp(seq => $pdu->{seq}, message_id => '');
        $receipted = 1;
    } elsif ($pdu->{cmd} == Net::SMPP::CMD_enquire_link) {
        $smpp->enquire_link_resp(seq => $pdu->{seq});
    } else {
        printf "OTHER %d\n", $pdu->{cmd};
    }
}
$resp = $smpp->unbind();
printf "UNBIND %d\n", $resp ? $resp->{status} : -1;
