package metering

// Category is a usage category as Twilio's usage records and triggers name it, and the product
// whose usage it counts: uses in CountUnit, what they used in UsageUnit.
type Category struct {
	Name, Product, CountUnit, UsageUnit, Description string
}

// Categories are the usage categories of our products, in Twilio's names where Twilio has one
// (voice is "calls"). TotalPrice is every product's charges together.
var Categories = []Category{
	{"sms", "sms", "messages", "segments", "SMS"},
	{"calls", "voice", "calls", "minutes", "Voice calls"},
	{"im", "im", "messages", "messages", "Instant messages"},
	{"mq", "mq", "messages", "messages", "Message queue messages"},
}

// TotalPrice is Twilio's category for the total price of all usage; it has a price and no count.
const TotalPrice = "totalprice"

// CategoryNamed finds a category of Categories by its name.
func CategoryNamed(name string) (Category, bool) {
	for _, c := range Categories {
		if c.Name == name {
			return c, true
		}
	}
	return Category{}, false
}
