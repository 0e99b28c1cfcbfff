package moderation_test

import (
	"fmt"

	"github.com/switchboard/switchboard/internal/moderation"
)

func ExampleSet() {
	var list moderation.Set // zero value: no list, nothing matches
	err := list.Reload([]moderation.Word{
		{Text: "fuck", Action: moderation.Block},
		{Text: "shit", Action: moderation.Replace},
		{Text: "法轮", Action: moderation.Replace},
		{Text: "refund", Action: moderation.Review},
	})
	if err != nil {
		panic(err)
	}
	for _, text := range []string{"F.u.C.k off", "ｓｈｉｔ happens", "学习法 轮功", "I want a refund"} {
		v := list.Apply(text)
		fmt.Printf("%q blocked=%v text=%q review=%d\n", text, v.Blocked, v.Text, len(v.Review))
	}
	// Output:
	// "F.u.C.k off" blocked=true text="F.u.C.k off" review=0
	// "ｓｈｉｔ happens" blocked=false text="*** happens" review=0
	// "学习法 轮功" blocked=false text="学习***功" review=0
	// "I want a refund" blocked=false text="I want a refund" review=1
}
