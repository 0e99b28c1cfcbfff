#!/usr/bin/perl
# A customer's ESME (Net::SMPP transceiver) scheduling messages on Switchboard's SMPP server.
# Usage: esme_schedule.pl HOST PORT SYSTEM_ID PASSWORD SCHEDULE:VALIDITY...
# Submits one message per SCHEDULE:VALIDITY pair (SMPP time fields, either may be empty) and
# prints "SUBMIT <status> <message_id>" for each, in order.
use strict;
use warnings;
use Net::SMPP;

$| = 1;
my ($host, $port, $sysid, $pw, @pairs) = @ARGV;
local $SIG{ALRM} = sub { print "TIMEOUT\n"; exit 2 };
alarm 20;

my ($smpp, $resp) = Net::SMPP->new_transceiver($host, port => $port, system_id => $sysid, password => $pw);
die "connect: $!" unless $smpp && $resp;
exit 1 if $resp->{status};
for my $pair (@pairs) {
    my ($schedule, $validity) = split /:/, $pair, 2;
    $resp = $smpp->submit_sm(
        source_addr => '10690000', destination_addr => '8613800138000', data_coding => 0,
        schedule_delivery_time => $schedule // '', validity_period => $validity // '',
        short_message => 'Later, from Net::SMPP',
    );
    printf "SUBMIT %d %s\n", $resp->{status}, $resp->{message_id} // '';
}
$smpp->unbind();
