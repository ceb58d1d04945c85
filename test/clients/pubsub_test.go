package clients

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// testPubSub subscribes through go-redis's PubSub (channels, patterns and
// shard channels), publishes with the same client and reads the messages
// from Channel(). Channel names carry the protocol: the RESP2 run's
// subscriber may still be leaving when the RESP3 run starts.
func testPubSub(t *testing.T, ctx context.Context, c *redis.Client) {
	p := strconv.Itoa(c.Options().Protocol)
	news, pattern, fire, shard := "news"+p, "alerts"+p+".*", "alerts"+p+".fire", "orders"+p
	sub := c.Subscribe(ctx, news)
	defer sub.Close()
	expectSubscription(t, ctx, sub, redis.Subscription{Kind: "subscribe", Channel: news, Count: 1})
	must(t, sub.PSubscribe(ctx, pattern))
	expectSubscription(t, ctx, sub, redis.Subscription{Kind: "psubscribe", Channel: pattern, Count: 2})
	must(t, sub.SSubscribe(ctx, shard))
	expectSubscription(t, ctx, sub, redis.Subscription{Kind: "ssubscribe", Channel: shard, Count: 1})

	eq(t, "PUBSUB NUMSUB", c.PubSubNumSub(ctx, news, "nobody"+p).Val()[news], int64(1))
	eqSlice(t, "PUBSUB CHANNELS", c.PubSubChannels(ctx, "news"+p+"*").Val(), []string{news})
	eq(t, "PUBSUB SHARDNUMSUB", c.PubSubShardNumSub(ctx, shard).Val()[shard], int64(1))
	eqSlice(t, "PUBSUB SHARDCHANNELS", c.PubSubShardChannels(ctx, "orders"+p).Val(), []string{shard})

	eq(t, "PUBLISH to a channel", c.Publish(ctx, news, "hello").Val(), int64(1))
	eq(t, "PUBLISH to a pattern", c.Publish(ctx, fire, "hot").Val(), int64(1))
	eq(t, "SPUBLISH", c.SPublish(ctx, shard, "o1").Val(), int64(1))
	eq(t, "PUBLISH to nobody", c.Publish(ctx, "nobody"+p, "x").Val(), int64(0))
	eq(t, "PUBLISH to a shard channel's name", c.Publish(ctx, shard, "x").Val(), int64(0))
	for i := range 100 {
		must(t, c.Publish(ctx, news, strconv.Itoa(i)).Err())
	}

	msgs := sub.Channel()
	want := []redis.Message{{Channel: news, Payload: "hello"}, {Channel: fire, Pattern: pattern, Payload: "hot"}, {Channel: shard, Payload: "o1"}}
	for i := range 100 {
		want = append(want, redis.Message{Channel: news, Payload: strconv.Itoa(i)})
	}
	for i, w := range want {
		select {
		case m := <-msgs:
			if m.Channel != w.Channel || m.Pattern != w.Pattern || m.Payload != w.Payload {
				t.Fatalf("message %d = %+v, want %+v", i, *m, w)
			}
		case <-ctx.Done():
			t.Fatalf("message %d (%+v) never arrived", i, w)
		}
	}

	must(t, sub.Unsubscribe(ctx))
	must(t, sub.PUnsubscribe(ctx))
	must(t, sub.SUnsubscribe(ctx))
	// go-redis does not wait for the confirmations: wait for the server.
	for c.PubSubNumSub(ctx, news).Val()[news] != 0 || c.PubSubShardNumSub(ctx, shard).Val()[shard] != 0 {
		if ctx.Err() != nil {
			t.Fatal("still subscribed after UNSUBSCRIBE and SUNSUBSCRIBE")
		}
		time.Sleep(10 * time.Millisecond)
	}
	eq(t, "PUBLISH after UNSUBSCRIBE", c.Publish(ctx, news, "late").Val(), int64(0))
	eq(t, "PUBLISH after PUNSUBSCRIBE", c.Publish(ctx, fire, "late").Val(), int64(0))
	eq(t, "SPUBLISH after SUNSUBSCRIBE", c.SPublish(ctx, shard, "late").Val(), int64(0))
}

func expectSubscription(t *testing.T, ctx context.Context, sub *redis.PubSub, want redis.Subscription) {
	t.Helper()
	got, err := sub.Receive(ctx)
	must(t, err)
	s, ok := got.(*redis.Subscription)
	if !ok || *s != want {
		t.Fatalf("got %#v, want the confirmation %+v", got, want)
	}
}
