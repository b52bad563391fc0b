// Built-in examples: definition, input and handlers as the editors show them (text).

const orderFulfilmentDefinition = {
  Comment: "Order fulfilment, first cut: check inventory, then ship the order or report it out of stock.",
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
      Choices: [{ Variable: "$.inventory.inStock", BooleanEquals: true, Next: "Prepare Shipment" }],
      Default: "Out Of Stock",
    },
    "Prepare Shipment": {
      Type: "Pass",
      Parameters: {
        "orderId.$": "$.order.id",
        "items.$": "$.order.items",
        "warehouse.$": "$.inventory.warehouse",
        carrier: "UPS",
      },
      ResultPath: "$.shipment",
      Next: "Ship Order",
    },
    "Ship Order": {
      Type: "Task",
      Resource: "arn:aws:lambda:us-east-1:123456789012:function:ship-order",
      InputPath: "$.shipment",
      ResultPath: "$.tracking",
      OutputPath: "$.tracking",
      Next: "Order Shipped",
    },
    "Order Shipped": {
      Type: "Succeed",
    },
    "Out Of Stock": {
      Type: "Fail",
      Error: "OutOfStock",
      Cause: "An item of the order is not in stock",
    },
  },
};

const orderFulfilmentInput = {
  order: {
    id: "order-1042",
    customer: "ana@example.com",
    items: [
      { sku: "BOOK-7", quantity: 1 },
      { sku: "MUG-2", quantity: 2 },
    ],
  },
};

const orderFulfilmentHandlers = `// Each key names a Task state (or a Resource ARN, a function name, or "*").
// A handler gets the state's effective input and returns the task's result.
({
  "Check Inventory": async (order) => ({
    inStock: order.items.every((item) => item.quantity <= 5),
    warehouse: "DUB-1",
  }),
  "Ship Order": async (shipment) => ({
    orderId: shipment.orderId,
    carrier: shipment.carrier,
    trackingNumber: "1Z" + shipment.orderId.replace(/\\D/g, "").padStart(8, "0"),
  }),
})
`;

export const examples = [
  {
    name: "Order fulfilment",
    definition: JSON.stringify(orderFulfilmentDefinition, null, 2),
    input: JSON.stringify(orderFulfilmentInput, null, 2),
    handlers: orderFulfilmentHandlers,
  },
];
