#!/usr/bin/perl
# A carrier SMSC (Net::SMPP in listen mode) for Switchboard's SMPP Client.
# Usage: smsc.pl LOGFILE SYSTEM_ID PASSWORD
# Prints "LISTEN <port>" once listening on a random port, then serves one connection at a time:
#   - every 7th submit_sm received is answered ESME_RTHROTTLED (refused, not accepted), except
#     in the drop on connection 2;
#   - connection 1: after its 60th submit_sm the SMSC stops answering and sends unbind
#     (submits read from then on are logged UNANSWERED: neither accepted nor answered);
#   - connection 2: submits 56-60 are accepted (they get message ids and receipts) but the
#     connection is closed before their submit_sm_resp is written: ACCEPT_NORESP;
#   - later connections are served normally.
# Every accepted message gets a delivery receipt (deliver_sm with text, receipted_message_id and
# message_state); receipts not acknowledged with status 0 are sent again, on later connections too.
# The client's own message id arrives in vendor TLV 0x1400, and the SMSC recognises it: a
# submit_sm of an id it already accepted is answered with that message's id and is no second
# message (RESUBMIT), as a carrier that honours the client's ids does. Log lines, one per event:
#   CONN n | BIND n system_id | ACCEPT n id msgid | ACCEPT_NORESP n id msgid | RESUBMIT n id msgid
#   THROTTLED n id | UNANSWERED n id | UNBIND_SENT n | CLOSE n | RECEIPT_ACK msgid
#   RECEIPT_NACK msgid status | DONE
use strict;
use warnings;
use IO::Handle;
use Net::SMPP;

$| = 1;
my ($logfile, $want_sysid, $want_pass) = @ARGV;
open(my $log, '>', $logfile) or die "open $logfile: $!";
$log->autoflush(1);
local $SIG{__WARN__} = sub { print STDERR @_ unless $_[0] =~ /Unknown tag/ };
local $SIG{ALRM} = sub { print $log "TIMEOUT\n"; exit 2 };
alarm 120;

my $srv = Net::SMPP->new_listen('127.0.0.1', port => 0, timeout => 60) or die "listen: $!";
print "LISTEN ", $srv->sockport, "\n";

my ($conn, $received, $msgseq, $done) = (0, 0, 0, 0);
my @receipts;   # msgids whose receipt still has to be delivered
my %accepted;   # the client's id -> the msgid of the message accepted under it
while (!$done) {
    my $smpp = $srv->accept or die "accept: $!";
    $conn++;
    print $log "CONN $conn\n";
    serve($smpp);
    print $log "CLOSE $conn\n";
    close $smpp;
}
print $log "DONE\n";
exit 0;

sub serve {
    my ($smpp) = @_;
    my ($bound, $on_conn, $unbinding, @noresp) = (0, 0, 0);
    my %receipt_seq;    # deliver_sm seq -> msgid, on this connection
    while (1) {
        my $pdu = $smpp->read_pdu() or last;
        my $cmd = $pdu->{cmd};
        if ($cmd == Net::SMPP::CMD_bind_transceiver) {
            my $ok = $pdu->{system_id} eq $want_sysid && $pdu->{password} eq $want_pass;
            $smpp->bind_transceiver_resp(seq => $pdu->{seq}, status => ($ok ? 0 : 0x0E), system_id => 'perlsmsc');
            print $log "BIND $conn $pdu->{system_id}\n";
            return unless $ok;
            $bound = 1;
            send_receipt($smpp, \%receipt_seq, shift @receipts) while @receipts;
        } elsif ($cmd == Net::SMPP::CMD_submit_sm) {
            my $id = $pdu->{5120} // '';
            $id =~ s/\0.*//s;
            $on_conn++;
            if ($unbinding) {
                print $log "UNANSWERED $conn $id\n";
                next;
            }
            if ($id ne '' && exists $accepted{$id}) {
                $smpp->submit_sm_resp(seq => $pdu->{seq}, message_id => $accepted{$id});
                print $log "RESUBMIT $conn $id $accepted{$id}\n";
                next;
            }
            my $dropping = $conn == 2 && $on_conn >= 56;
            if (++$received % 7 == 0 && !$dropping) {
                $smpp->submit_sm_resp(seq => $pdu->{seq}, status => 0x58, message_id => '');
                print $log "THROTTLED $conn $id\n";
                next;
            }
            if ($conn == 1 && $on_conn >= 60) {
                print $log "UNANSWERED $conn $id\n";
                $smpp->unbind(async => 1);
                print $log "UNBIND_SENT $conn\n";
                $unbinding = 1;
                next;
            }
            my $msgid = sprintf("SMSC%06d", ++$msgseq);
            $accepted{$id} = $msgid if $id ne '';
            push @receipts, $msgid;
            if ($dropping) {
                print $log "ACCEPT_NORESP $conn $id $msgid\n";
                last if $on_conn >= 60;    # drop the link with five responses owed
                next;
            }
            $smpp->submit_sm_resp(seq => $pdu->{seq}, message_id => $msgid);
            print $log "ACCEPT $conn $id $msgid\n";
            send_receipt($smpp, \%receipt_seq, shift @receipts) while @receipts;
        } elsif ($cmd == Net::SMPP::CMD_deliver_sm_resp) {
            my $msgid = delete $receipt_seq{$pdu->{seq}};
            next unless defined $msgid;
            if ($pdu->{status} == 0) {
                print $log "RECEIPT_ACK $msgid\n";
            } else {
                printf $log "RECEIPT_NACK %s %d\n", $msgid, $pdu->{status};
                send_receipt($smpp, \%receipt_seq, $msgid);
            }
        } elsif ($cmd == Net::SMPP::CMD_enquire_link) {
            $smpp->enquire_link_resp(seq => $pdu->{seq});
        } elsif ($cmd == Net::SMPP::CMD_unbind) {
            $smpp->unbind_resp(seq => $pdu->{seq});
            $done = 1 if $conn >= 3;
            last;
        } elsif ($cmd == Net::SMPP::CMD_unbind_resp) {
            last;
        } elsif ($cmd & 0x80000000) {
            # other responses need no answer
        } else {
            $smpp->generic_nack(seq => $pdu->{seq}, status => 0x03);
        }
    }
    # Receipts sent on this connection but never acknowledged go out again on the next one.
    unshift @receipts, sort values %receipt_seq;
}

sub send_receipt {
    my ($smpp, $receipt_seq, $msgid) = @_;
    my $text = "id:$msgid sub:001 dlvr:001 submit date:2403011200 done date:2403011201 stat:DELIVRD err:000 text:hello";
    my $seq = $smpp->deliver_sm(
        async => 1, source_addr => '8613800138000', destination_addr => '10690000',
        esm_class => 0x04, short_message => $text,
        receipted_message_id => "$msgid\0", message_state => pack('C', 2),
    );
    $receipt_seq->{$seq} = $msgid;
}
