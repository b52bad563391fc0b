// Built-in examples: definition, input and handlers (per Task state: the source of a
// function expression) as the editors show them. The first is the default.
//
// `expect` is what a run of the example does, as data for the browser tests
// (tests/browser/playground.test.mjs runs every example): the final status, `callback`
// when a task waits for its token ("success": press Send success), and the graph colour
// of some states after the run.

const text = (value) => JSON.stringify(value, null, 2);

const orderFulfilment = {
  expect: { status: "SUCCEEDED", states: { "Process Payment": "succeeded", "Out Of Stock": null } },
  name: "Order fulfilment (Retry, Catch, Parallel, failure paths)",
  definition: {
    Comment: "Check inventory, take payment (retried, failures caught), then ship and notify in parallel.",
    StartAt: "Check Inventory",
    States: {
      "Check Inventory": {
        Type: "Task",
        Resource: "arn:aws:lambda:us-east-1:123456789012:function:check-inventory",
        InputPath: "$.order",
        ResultPath: "$.inventory",
        Next: "In Stock?",
      },
      "In Stock?": {
        Type: "Choice",
        Choices: [{ Variable: "$.inventory.inStock", BooleanEquals: true, Next: "Process Payment" }],
        Default: "Out Of Stock",
      },
      "Process Payment": {
        Type: "Task",
        Resource: "arn:aws:states:::lambda:invoke",
        Parameters: {
          FunctionName: "process-payment",
          Payload: { "orderId.$": "$.order.id", "amount.$": "$.order.total" },
        },
        ResultSelector: { "paymentId.$": "$.Payload.paymentId", "charged.$": "$.Payload.amount" },
        ResultPath: "$.payment",
        Retry: [{ ErrorEquals: ["PaymentGatewayTimeout"], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }],
        Catch: [{ ErrorEquals: ["PaymentDeclined"], ResultPath: "$.paymentError", Next: "Payment Declined" }],
        Next: "Ship And Notify",
      },
      "Ship And Notify": {
        Type: "Parallel",
        Branches: [
          {
            StartAt: "Ship Order",
            States: {
              "Ship Order": {
                Type: "Task",
                Resource: "arn:aws:lambda:us-east-1:123456789012:function:ship-order",
                Parameters: { "orderId.$": "$.order.id", "items.$": "$.order.items", "warehouse.$": "$.inventory.warehouse" },
                End: true,
              },
            },
          },
          {
            StartAt: "Notify Customer",
            States: {
              "Notify Customer": {
                Type: "Task",
                Resource: "arn:aws:lambda:us-east-1:123456789012:function:notify-customer",
                Parameters: { "to.$": "$.order.customer", "orderId.$": "$.order.id" },
                End: true,
              },
            },
          },
        ],
        ResultSelector: { "tracking.$": "$[0].trackingNumber", "notified.$": "$[1].sent" },
        ResultPath: "$.fulfilment",
        Next: "Order Complete",
      },
      "Order Complete": {
        Type: "Pass",
        Parameters: { "orderId.$": "$.order.id", "paymentId.$": "$.payment.paymentId", "tracking.$": "$.fulfilment.tracking" },
        End: true,
      },
      "Payment Declined": {
        Type: "Fail",
        Error: "PaymentDeclined",
        Cause: "The card was declined; the order is cancelled",
      },
      "Out Of Stock": {
        Type: "Fail",
        Error: "OutOfStock",
        Cause: "An item of the order is not in stock",
      },
    },
  },
  input: {
    order: {
      id: "order-1042",
      customer: "ana@example.com",
      total: 42.5,
      items: [
        { sku: "BOOK-7", quantity: 1 },
        { sku: "MUG-2", quantity: 2 },
      ],
    },
  },
  handlers: {
    "Check Inventory": `async (order, context) => {
  console.log("checking", order.items.length, "items");
  return {
    inStock: order.items.every((item) => item.quantity <= 5),
    warehouse: "DUB-1",
  };
}`,
    "Process Payment": `async ({ orderId, amount }, context) => {
  // The first attempt times out: the Retry tries again. Over 1000: declined (caught).
  if (context.retryCount === 0) {
    throw Object.assign(new Error("gateway did not answer"), { name: "PaymentGatewayTimeout" });
  }
  if (amount > 1000) {
    throw Object.assign(new Error("card declined"), { name: "PaymentDeclined" });
  }
  console.log("charged", amount, "for", orderId);
  return { paymentId: "pay-" + orderId.slice(-4), amount };
}`,
    "Ship Order": `async ({ orderId, items, warehouse }) => {
  console.log("shipping", items.length, "items from", warehouse);
  return { trackingNumber: "1Z" + orderId.replace(/\\D/g, "").padStart(8, "0") };
}`,
    "Notify Customer": `async ({ to, orderId }) => {
  console.log("email to", to);
  return { sent: true, message: "Order " + orderId + " is on its way" };
}`,
  },
};

const retry = {
  name: "Retry with backoff (transient errors, then a fallback)",
  expect: { status: "SUCCEEDED", states: { "Call Flaky Service": "succeeded", "Use Cached Rate": null } },
  definition: {
    Comment: "A Retry waits IntervalSeconds, then BackoffRate times longer each attempt (try the real clock). A Catch is the fallback when every attempt fails.",
    StartAt: "Call Flaky Service",
    States: {
      "Call Flaky Service": {
        Type: "Task",
        Resource: "arn:aws:lambda:us-east-1:123456789012:function:exchange-rate",
        Retry: [
          { ErrorEquals: ["ServiceUnavailable"], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 3, JitterStrategy: "NONE" },
          { ErrorEquals: ["States.Timeout"], MaxAttempts: 0 },
        ],
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "Use Cached Rate" }],
        TimeoutSeconds: 10,
        ResultPath: "$.rate",
        Next: "Convert",
      },
      "Use Cached Rate": { Type: "Pass", Result: 1.1, ResultPath: "$.rate", Next: "Convert" },
      Convert: {
        Type: "Pass",
        Parameters: { "amount.$": "$.amount", "rate.$": "$.rate", "currency.$": "$.to" },
        End: true,
      },
    },
  },
  input: { amount: 100, from: "EUR", to: "USD", failures: 2 },
  handlers: {
    "Call Flaky Service": `async ({ failures, from, to }, context) => {
  // Fails the first \`failures\` attempts (set it to 4 in the input: every retry fails and
  // the Catch takes the fallback path).
  console.log("attempt", context.retryCount + 1, from, "->", to);
  if (context.retryCount < failures) {
    throw Object.assign(new Error("try again later"), { name: "ServiceUnavailable" });
  }
  return 1.08;
}`,
  },
};

const choice = {
  expect: { status: "SUCCEEDED", states: { Pass: "succeeded", Excellent: null } },
  name: "Choice: route by a value",
  definition: {
    Comment: "A Choice state picks the first rule that matches; Default catches the rest.",
    StartAt: "Grade",
    States: {
      Grade: {
        Type: "Choice",
        Choices: [
          { Variable: "$.score", NumericGreaterThanEquals: 90, Next: "Excellent" },
          { And: [{ Variable: "$.score", NumericGreaterThanEquals: 50 }, { Variable: "$.late", BooleanEquals: false }], Next: "Pass" },
        ],
        Default: "Try Again",
      },
      Excellent: { Type: "Pass", Result: { grade: "A" }, End: true },
      Pass: { Type: "Pass", Result: { grade: "C" }, End: true },
      "Try Again": { Type: "Fail", Error: "NotPassed", Cause: "Score under 50, or late" },
    },
  },
  input: { score: 72, late: false },
  handlers: {},
};

const map = {
  expect: { status: "SUCCEEDED", states: { "Price Items": "succeeded", "Line Total": "succeeded" } },
  name: "Map: one item at a time",
  definition: {
    Comment: "A Map state runs its ItemProcessor for every item of an array.",
    StartAt: "Price Items",
    States: {
      "Price Items": {
        Type: "Map",
        ItemsPath: "$.cart",
        MaxConcurrency: 2,
        ItemProcessor: {
          ProcessorConfig: { Mode: "INLINE" },
          StartAt: "Look Up Price",
          States: {
            "Look Up Price": {
              Type: "Task",
              Resource: "arn:aws:lambda:us-east-1:123456789012:function:price",
              ResultPath: "$.price",
              Next: "Line Total",
            },
            "Line Total": {
              Type: "Pass",
              Parameters: { "sku.$": "$.sku", "total.$": "States.MathAdd($.price, 0)", "quantity.$": "$.quantity" },
              End: true,
            },
          },
        },
        ResultPath: "$.lines",
        End: true,
      },
    },
  },
  input: { cart: [{ sku: "BOOK-7", quantity: 1 }, { sku: "MUG-2", quantity: 2 }, { sku: "PEN-1", quantity: 10 }] },
  handlers: {
    "Look Up Price": `async (item) => {
  const prices = { "BOOK-7": 12, "MUG-2": 8, "PEN-1": 1 };
  console.log("price of", item.sku);
  return prices[item.sku] * item.quantity;
}`,
  },
};

const parallel = {
  expect: { status: "SUCCEEDED", states: { Left: "succeeded", Right: "succeeded", Cross: "succeeded" } },
  name: "Parallel: branches side by side",
  definition: {
    Comment: "Every branch gets the same input; the output is an array, one entry per branch.",
    StartAt: "Look Both Ways",
    States: {
      "Look Both Ways": {
        Type: "Parallel",
        Branches: [
          { StartAt: "Left", States: { Left: { Type: "Pass", Parameters: { "side": "left", "cars.$": "$.left" }, End: true } } },
          { StartAt: "Right", States: { Right: { Type: "Pass", Parameters: { "side": "right", "cars.$": "$.right" }, End: true } } },
        ],
        Next: "Cross?",
      },
      "Cross?": {
        Type: "Choice",
        Choices: [{ And: [{ Variable: "$[0].cars", NumericEquals: 0 }, { Variable: "$[1].cars", NumericEquals: 0 }], Next: "Cross" }],
        Default: "Wait For Gap",
      },
      Cross: { Type: "Succeed" },
      "Wait For Gap": { Type: "Fail", Error: "TooBusy" },
    },
  },
  input: { left: 0, right: 0 },
  handlers: {},
};

const wait = {
  expect: { status: "SUCCEEDED", callback: "success", states: { "Ask For Approval": "succeeded" } },
  name: "Human approval: Wait, then a task token (.waitForTaskToken)",
  definition: {
    Comment: "Wait pauses the execution (try the real clock); the approval task waits for Send success / Send failure.",
    StartAt: "Cool Down",
    States: {
      "Cool Down": { Type: "Wait", Seconds: 3, Next: "Ask For Approval" },
      "Ask For Approval": {
        Type: "Task",
        Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
        Parameters: { FunctionName: "ask-approval", Payload: { "request.$": "$.request", "token.$": "$$.Task.Token" } },
        TimeoutSeconds: 3600,
        ResultPath: "$.approval",
        Next: "Done",
      },
      Done: { Type: "Succeed" },
    },
  },
  input: { request: "Deploy to production" },
  handlers: {
    "Ask For Approval": `async ({ request, token }, context) => {
  // The task waits for the token: press "Send success" (or failure) in the playground.
  console.log("approval requested for", request);
}`,
  },
};

const jsonata = {
  expect: { status: "SUCCEEDED", states: { Total: "succeeded" } },
  name: "JSONata + Assign: variables",
  definition: {
    Comment: "QueryLanguage JSONata: Arguments and Output are JSONata expressions; Assign sets variables.",
    QueryLanguage: "JSONata",
    StartAt: "Remember Customer",
    States: {
      "Remember Customer": {
        Type: "Pass",
        Assign: { customer: "{% $states.input.customer %}", discount: 0.1 },
        Output: "{% $states.input.items %}",
        Next: "Total",
      },
      Total: {
        Type: "Pass",
        Output: {
          customer: "{% $customer %}",
          subtotal: "{% $sum($states.input.(price * quantity)) %}",
          total: "{% $round($sum($states.input.(price * quantity)) * (1 - $discount), 2) %}",
        },
        End: true,
      },
    },
  },
  input: { customer: "ana@example.com", items: [{ price: 12, quantity: 1 }, { price: 8, quantity: 2 }] },
  handlers: {},
};

const intrinsics = {
  expect: { status: "SUCCEEDED", states: { Compute: "succeeded" } },
  name: "Intrinsic functions (States.*)",
  definition: {
    Comment: "Intrinsic functions inside Parameters: strings, arrays, maths, JSON.",
    StartAt: "Compute",
    States: {
      Compute: {
        Type: "Pass",
        Parameters: {
          "greeting.$": "States.Format('Hello, {}!', $.name)",
          "count.$": "States.ArrayLength($.tags)",
          "sum.$": "States.MathAdd($.a, $.b)",
          "parts.$": "States.StringSplit($.csv, ',')",
          "unique.$": "States.ArrayUnique($.tags)",
          "asText.$": "States.JsonToString($.tags)",
          "hash.$": "States.Hash($.name, 'SHA-256')",
        },
        End: true,
      },
    },
  },
  input: { name: "Ana", tags: ["a", "b", "a"], a: 40, b: 2, csv: "x,y,z" },
  handlers: {},
};

export const examples = [orderFulfilment, retry, choice, map, parallel, jsonata, wait, intrinsics].map((example) => ({
  ...example,
  definition: text(example.definition),
  input: text(example.input),
}));
