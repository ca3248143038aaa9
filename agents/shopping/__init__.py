"""The shopping guide (导购): from a shopper's wish to items they can buy, with checked totals."""
